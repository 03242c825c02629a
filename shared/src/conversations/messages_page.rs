//! A page of a conversation's messages, newest first.
//!
//! Round trips: one. The page's Query, the conversation's GetItem (whether the caller may
//! see it) and the audit write are issued concurrently; a caller who may not see the
//! conversation gets [`MessagesPageError::NotFound`] and nothing of what was read. The
//! cursor is checked before anything is sent. With a claimed caller (`cx.proof`,
//! `access::proof`: a patient, or a remembered staff member) the audit write is a
//! TransactWriteItems that also proves the caller,
//! and nothing is released unless it commits: the page is one round trip authorization
//! included.

use super::{Context, Message};
use crate::adapters::dynamo::StoreError;
use crate::domain::ids::ConversationId;
use crate::ports::conversations::{ConversationStore, ListError, Listing, MessagesFrom};

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MessagesPageError {
    #[error("no such conversation")]
    NotFound,
    #[error("the cursor is not valid for this list")]
    BadCursor,
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl From<ListError> for MessagesPageError {
    fn from(e: ListError) -> Self {
        match e {
            ListError::BadCursor => Self::BadCursor,
            ListError::Store(e) => Self::Store(e),
        }
    }
}

pub async fn messages_page(
    store: &impl ConversationStore,
    cx: &Context<'_>,
    conversation: &ConversationId,
    from: &MessagesFrom,
    limit: i32,
) -> Result<Listing<Message>, MessagesPageError> {
    let start = store.messages_start(conversation, from)?;
    let event = cx.audit("messages.list", vec![conversation.to_string()], "requested");
    let (found, page, audited) = tokio::join!(
        store.conversation(conversation),
        store.messages_page(conversation, start, limit),
        store.audit_read(&event, cx.proof, cx.now())
    );
    // The audit write first: with a claimed caller it is the proof, and until it holds
    // not even "no such conversation" is told (it would say whether they take part).
    audited?;
    found?
        .filter(|c| c.visible_to(cx.caller))
        .ok_or(MessagesPageError::NotFound)?;
    Ok(page?)
}
