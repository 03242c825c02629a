//! Staff change a conversation's settings: `read_only` (true: make read-only, false:
//! reactivate), `subject`, `tags`. While read-only only `read_only` changes (409
//! `read_only` otherwise); a PATCH that reactivates may change the rest with it.
//!
//! Round trips: two. The GetItem of the conversation (404 if the caller may not see it;
//! its roster says which inbox rows mirror the change), then one TransactWriteItems: the
//! conversation under the caller's access condition, every participant's inbox row, the
//! audit item.

use super::fields::{self, BadField};
use super::{Context, Conversation};
use crate::adapters::dynamo::StoreError;
use crate::domain::ids::ConversationId;
use crate::ports::conversations::{ChangeRefused, ConversationStore, SettingsChange};

/// The PATCH body as given (absent: unchanged; `subject: Some(None)` clears it).
#[derive(Debug, Clone, Default)]
pub struct ChangeInput {
    pub read_only: Option<bool>,
    pub subject: Option<Option<String>>,
    pub tags: Option<Vec<String>>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ChangeError {
    #[error("Give at least one of read_only, subject, tags.")]
    NothingToChange,
    #[error(transparent)]
    Invalid(#[from] BadField),
    #[error("no such conversation")]
    NotFound,
    /// A subject or tags change to a read-only conversation that stays read-only.
    #[error(
        "This conversation is read-only; reactivate it (read_only: false, also in this \
         request) to change its subject or tags."
    )]
    ReadOnly,
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Whether a change touches what the conversation shows (subject, tags), which a
/// read-only conversation refuses (SECURITY.md: every write but receipts) unless the same
/// change reactivates it; `read_only` itself is always allowed, or nothing could reopen it.
fn edits_content(change: &SettingsChange) -> bool {
    change.subject.is_some() || change.tags.is_some()
}

/// Applies the change; answers the conversation as it now is.
pub async fn change(
    store: &impl ConversationStore,
    cx: &Context<'_>,
    id: &ConversationId,
    input: ChangeInput,
) -> Result<Conversation, ChangeError> {
    if input.read_only.is_none() && input.subject.is_none() && input.tags.is_none() {
        return Err(ChangeError::NothingToChange);
    }
    let change = SettingsChange {
        read_only: input.read_only,
        subject: input.subject.map(fields::subject).transpose()?,
        tags: input.tags.map(fields::tags).transpose()?,
    };
    let mut conversation = store
        .conversation(id)
        .await?
        .filter(|c| c.visible_to(cx.caller))
        .ok_or(ChangeError::NotFound)?;
    if conversation.read_only && change.read_only != Some(false) && edits_content(&change) {
        return Err(ChangeError::ReadOnly);
    }
    let event = cx.audit("conversation.update", vec![id.to_string()], "ok");
    match store
        .change_settings(cx.caller, &conversation, &change, &event, cx.now())
        .await
    {
        Ok(()) => {}
        // It vanished or the caller lost access between the read and the write.
        Err(ChangeRefused::Conversation) => return Err(ChangeError::NotFound),
        Err(ChangeRefused::Store(e)) => return Err(e.into()),
    }
    if let Some(ro) = change.read_only {
        conversation.read_only = ro;
    }
    if let Some(subject) = change.subject {
        conversation.subject = subject;
    }
    if let Some(tags) = change.tags {
        conversation.tags = tags;
    }
    Ok(conversation)
}
