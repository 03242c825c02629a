//! A conversation's details for someone who may see it.
//!
//! Round trips: one — the GetItem, with the audit PutItem issued concurrently.

use super::{Context, Conversation};
use crate::adapters::dynamo::StoreError;
use crate::domain::ids::ConversationId;
use crate::ports::conversations::ConversationStore;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ShowError {
    /// Missing, or the caller may not see it (indistinguishable on purpose).
    #[error("no such conversation")]
    NotFound,
    #[error(transparent)]
    Store(#[from] StoreError),
}

pub async fn show(
    store: &impl ConversationStore,
    cx: &Context<'_>,
    id: &ConversationId,
) -> Result<Conversation, ShowError> {
    let event = cx.audit("conversation.read", vec![id.to_string()], "requested");
    let (found, audited) = tokio::join!(
        store.conversation(id),
        store.audit_read(&event, cx.proof, cx.now())
    );
    let conversation = found?
        .filter(|c| c.visible_to(cx.caller))
        .ok_or(ShowError::NotFound)?;
    audited?;
    Ok(conversation)
}
