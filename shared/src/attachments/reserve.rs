//! Reserving an upload (`POST /v1/conversations/{id}/attachments`).
//!
//! Round trips: the PUT URL is presigned first (local signing, no network), then one
//! `TransactWriteItems` checks the conversation (the caller may see it, as for posting; it
//! is secure, active and writable), puts the attachment item, spends the conversation's
//! and the account's daily budgets and writes the audit item. Only when the conversation
//! refused does a `GetItem` of its meta say why (404, 409 `read_only`, 409
//! `pending_account`, 400 for a standard conversation).

use super::model::{Attachment, ContentType, Filename, Status};
use crate::adapters::dynamo::StoreError;
use crate::conversations::{ConversationKind, ConversationState};
use crate::domain::caller::Caller;
use crate::domain::ids::{AttachmentId, ConversationId};
use crate::domain::time::day;
use crate::ports::attachments::{
    AttachmentFiles, AttachmentStore, FilesError, PresignedUpload, Reservation, ReserveRefusal,
    UploadBudget,
};

/// The PUT URL is valid this long (API.md).
pub const UPLOAD_URL_SECS: u64 = 15 * 60;

const GIB: u64 = 1024 * 1024 * 1024;
/// A conversation takes at most 50 uploads and 2 GiB a day: a few dozen photos or PDFs and
/// several videos, far above a real exchange, while a leaked token cannot fill the bucket.
pub const PER_CONVERSATION_DAY: UploadBudget = UploadBudget {
    uploads: 50,
    bytes: 2 * GIB,
};
/// An account takes at most 200 uploads and 5 GiB a day across its conversations (staff
/// sending the same instructions PDF to many patients stay well inside it).
pub const PER_ACCOUNT_DAY: UploadBudget = UploadBudget {
    uploads: 200,
    bytes: 5 * GIB,
};

/// What the client declared, already validated.
#[derive(Debug, Clone)]
pub struct NewUpload {
    pub filename: Filename,
    pub content_type: ContentType,
    pub size: u64,
}

#[derive(Debug, Clone)]
pub struct Reserved {
    pub attachment: Attachment,
    pub upload: PresignedUpload,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ReserveError {
    #[error("no such conversation")]
    NotFound,
    #[error("the conversation is read-only")]
    ReadOnly,
    #[error("the patient has not created an account yet")]
    PendingAccount,
    #[error("standard conversations take no attachments")]
    NotSecure,
    #[error("the conversation's daily upload budget is spent")]
    ConversationBudget,
    #[error("the account's daily upload budget is spent")]
    AccountBudget,
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Files(#[from] FilesError),
}

pub async fn reserve(
    store: &impl AttachmentStore,
    files: &dyn AttachmentFiles,
    caller: &Caller,
    conversation: ConversationId,
    upload: NewUpload,
    now_ms: i64,
    request_id: &str,
) -> Result<Reserved, ReserveError> {
    let attachment = Attachment {
        id: AttachmentId::generate(),
        conversation_id: conversation,
        uploader: caller.account_id,
        filename: upload.filename,
        content_type: upload.content_type,
        size: upload.size,
        status: Status::Uploading,
        reject_reason: None,
        checked_etag: None,
        message_id: None,
        created_at: now_ms,
    };
    let presigned = files
        .presign_upload(
            &attachment.object_key(),
            attachment.content_type,
            attachment.size,
            now_ms,
            UPLOAD_URL_SECS,
        )
        .await?;
    let reservation = Reservation {
        attachment: &attachment,
        caller,
        per_conversation: PER_CONVERSATION_DAY,
        per_account: PER_ACCOUNT_DAY,
        day: day(now_ms),
        now_ms,
        request_id,
    };
    match store.reserve(&reservation).await {
        Ok(()) => Ok(Reserved {
            attachment,
            upload: presigned,
        }),
        Err(ReserveRefusal::Conversation) => Err(why_refused(store, caller, &conversation).await),
        Err(ReserveRefusal::ConversationBudget) => Err(ReserveError::ConversationBudget),
        Err(ReserveRefusal::AccountBudget) => Err(ReserveError::AccountBudget),
        Err(ReserveRefusal::Store(e)) => Err(e.into()),
    }
}

/// The conversation refused the reservation's condition: its meta says which rule.
async fn why_refused(
    store: &impl AttachmentStore,
    caller: &Caller,
    conversation: &ConversationId,
) -> ReserveError {
    let meta = match store.conversation(conversation).await {
        Ok(meta) => meta,
        Err(e) => return e.into(),
    };
    match meta.filter(|m| m.visible_to(caller)) {
        None => ReserveError::NotFound,
        Some(m) if m.kind != ConversationKind::Secure => ReserveError::NotSecure,
        Some(m) if m.state == ConversationState::PendingAccount => ReserveError::PendingAccount,
        Some(m) if m.read_only => ReserveError::ReadOnly,
        // Changed back between the write and the read: the client may simply retry.
        Some(_) => StoreError::Conflict.into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::attachments::fakes::{conversation, patient, FakeFiles, FakeStore};

    fn pdf(size: u64) -> NewUpload {
        NewUpload {
            filename: Filename::parse("instructions.pdf").unwrap(),
            content_type: ContentType::Pdf,
            size,
        }
    }

    #[tokio::test]
    async fn a_participant_gets_an_uploading_attachment_and_a_15_minute_url() {
        let me = patient();
        let meta = conversation(&me, ConversationKind::Secure);
        let store = FakeStore::with_conversation(meta.clone());
        let files = FakeFiles::default();
        let r = reserve(&store, &files, &me, meta.id, pdf(10), 5_000, "req")
            .await
            .unwrap();
        assert_eq!(r.attachment.status, Status::Uploading);
        assert_eq!(r.upload.expires_at_ms, 5_000 + 900_000);
        assert_eq!(store.attachments().len(), 1);
        assert_eq!(store.reservations().len(), 1);
        assert_eq!(store.reservations()[0], PER_CONVERSATION_DAY);
    }

    #[tokio::test]
    async fn a_refusal_is_explained_from_the_meta() {
        let me = patient();
        let mut meta = conversation(&me, ConversationKind::Secure);
        meta.read_only = true;
        let store = FakeStore::with_conversation(meta.clone());
        let files = FakeFiles::default();
        let err = reserve(&store, &files, &me, meta.id, pdf(10), 1, "r")
            .await
            .unwrap_err();
        assert_eq!(err, ReserveError::ReadOnly);

        let standard = conversation(&me, ConversationKind::Standard);
        let store = FakeStore::with_conversation(standard.clone());
        let err = reserve(&store, &files, &me, standard.id, pdf(10), 1, "r")
            .await
            .unwrap_err();
        assert_eq!(err, ReserveError::NotSecure);

        let stranger = patient();
        let err = reserve(&store, &files, &stranger, standard.id, pdf(10), 1, "r")
            .await
            .unwrap_err();
        assert_eq!(err, ReserveError::NotFound);
        assert!(store.attachments().is_empty());
    }
}
