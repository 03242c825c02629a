//! SHIM (issue 9): the pre-issue-9 `conversations::new_conversation`, kept for the
//! `channels` and `notify` branches, which build conversation items by hand. New code
//! uses [`super::add_new_conversation`] and the
//! [`ConversationStore`](crate::ports::conversations::ConversationStore) port instead.
//! Remove this file once nothing imports it.

use super::items::{ConversationItem, ParticipantItem};
use crate::conversations::{Conversation, NewConversation};

/// The meta item and participant rows of a new conversation.
pub fn new_conversation(
    spec: NewConversation,
    now: i64,
) -> (ConversationItem, Vec<ParticipantItem>) {
    let c = Conversation::new(spec, now);
    let rows = c
        .participants
        .iter()
        .map(|p| ParticipantItem::mirror(&c, p, now))
        .collect();
    (ConversationItem::from_model(&c), rows)
}
