//! The pre-issue-9 conversation API, kept as thin shims so the crates other lanes are
//! refactoring (contacts' invites, signup's pairing) and the tests keep compiling until
//! the merge. New code uses [`super::add_new_conversation`] and the
//! [`ConversationStore`](crate::ports::conversations::ConversationStore) port instead.
//! Remove this file once nothing imports it.

use super::items::{ConversationItem, ParticipantItem};
use crate::adapters::dynamo::{put, to_item, StoreError};
use crate::app::App;
use crate::conversations::{Conversation, NewConversation};
use crate::domain::caller::Caller;
use crate::domain::ids::ConversationId;
use aws_sdk_dynamodb::types::TransactWriteItem;

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

/// Puts for a new conversation's meta and participant rows (for the caller's transaction).
pub fn creation_writes(
    app: &App,
    meta: &ConversationItem,
    rows: &[ParticipantItem],
) -> Result<Vec<TransactWriteItem>, StoreError> {
    let absent = Some("attribute_not_exists(pk)");
    let mut writes = vec![put(app.table(), to_item(meta)?, absent)?];
    for row in rows {
        writes.push(put(app.table(), to_item(row)?, absent)?);
    }
    Ok(writes)
}

/// The conversation's meta item (consistent read), horizons' counts filled in.
pub async fn get(
    app: &App,
    conversation: &ConversationId,
) -> Result<Option<ConversationItem>, StoreError> {
    let found = app.store.get_conversation(conversation).await?;
    Ok(found.as_ref().map(ConversationItem::from_model))
}

/// [`Conversation::visible_to`] on a meta item.
pub fn visible_to(conversation: &ConversationItem, caller: &Caller) -> bool {
    conversation.clone().into_model().visible_to(caller)
}
