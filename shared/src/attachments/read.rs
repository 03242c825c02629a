//! Reading an attachment (`GET /v1/conversations/{id}/attachments/{attachment_id}`).
//!
//! Round trips: one `BatchGetItem` (the conversation's meta and the attachment) with the
//! audit `PutItem` issued concurrently, so every request, download or not, leaves its
//! audit item. The caller must be allowed to read the conversation's messages (the same
//! rule, `conversations::visible_to`, read fresh on every call: a removed participant loses
//! access at once); anyone else gets 404, as if it did not exist. A `ready` attachment comes
//! with a GET URL valid 5 minutes (signed locally, no network).

use super::model::{Attachment, Status};
use crate::access::audit::AuditEvent;
use crate::adapters::dynamo::StoreError;
use crate::domain::caller::Caller;
use crate::domain::ids::{AttachmentId, ConversationId};
use crate::ports::attachments::{AttachmentFiles, AttachmentStore, FilesError};

/// The GET URL is valid this long (API.md).
pub const DOWNLOAD_URL_SECS: u64 = 5 * 60;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Download {
    pub url: String,
    pub expires_at_ms: i64,
}

#[derive(Debug, Clone)]
pub struct AttachmentView {
    pub attachment: Attachment,
    pub download: Option<Download>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ReadError {
    #[error("no such conversation")]
    ConversationNotFound,
    #[error("no such attachment")]
    AttachmentNotFound,
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Files(#[from] FilesError),
}

pub async fn read(
    store: &impl AttachmentStore,
    files: &dyn AttachmentFiles,
    caller: &Caller,
    conversation: ConversationId,
    attachment: AttachmentId,
    now_ms: i64,
    request_id: &str,
) -> Result<AttachmentView, ReadError> {
    let event = AuditEvent {
        actor: Some(&caller.account_id),
        role: Some(caller.role),
        org: caller.org_id.as_ref(),
        action: "attachment.read",
        targets: vec![conversation.to_string(), attachment.to_string()],
        request_id,
        outcome: "requested",
    };
    let (found, audited) = tokio::join!(
        store.conversation_and_attachment(&conversation, &attachment),
        store.audit(&event, now_ms)
    );
    let (meta, found) = found?;
    meta.filter(|m| m.visible_to(caller))
        .ok_or(ReadError::ConversationNotFound)?;
    audited?;
    let attachment = found.ok_or(ReadError::AttachmentNotFound)?;
    let download = match attachment.status {
        Status::Ready => Some(Download {
            url: files
                .presign_download(&attachment.object_key(), now_ms, DOWNLOAD_URL_SECS)
                .await?,
            expires_at_ms: now_ms + DOWNLOAD_URL_SECS as i64 * 1000,
        }),
        Status::Uploading | Status::Rejected => None,
    };
    Ok(AttachmentView {
        attachment,
        download,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::attachments::fakes::{conversation, patient, uploaded, FakeFiles, FakeStore};
    use crate::conversations::ConversationKind;

    #[tokio::test]
    async fn only_a_ready_attachment_has_a_download_and_every_read_is_audited() {
        let me = patient();
        let meta = conversation(&me, ConversationKind::Secure);
        let store = FakeStore::with_conversation(meta.clone());
        let mut a = uploaded(
            &me,
            &meta.id,
            b"%PDF-1.7",
            crate::attachments::ContentType::Pdf,
        );
        store.put(a.clone());
        let files = FakeFiles::default();
        let view = read(&store, &files, &me, meta.id, a.id, 7, "r")
            .await
            .unwrap();
        assert!(view.download.is_none());
        a.status = Status::Ready;
        store.put(a.clone());
        let view = read(&store, &files, &me, meta.id, a.id, 7, "r")
            .await
            .unwrap();
        let download = view.download.unwrap();
        assert_eq!(download.expires_at_ms, 7 + 300_000);
        assert!(download.url.contains(&a.object_key()));
        assert_eq!(store.audits(), 2);
    }

    #[tokio::test]
    async fn a_stranger_learns_nothing() {
        let me = patient();
        let meta = conversation(&me, ConversationKind::Secure);
        let store = FakeStore::with_conversation(meta.clone());
        let mut a = uploaded(
            &me,
            &meta.id,
            b"%PDF-1.7",
            crate::attachments::ContentType::Pdf,
        );
        a.status = Status::Ready;
        store.put(a.clone());
        let err = read(
            &store,
            &FakeFiles::default(),
            &patient(),
            meta.id,
            a.id,
            7,
            "r",
        )
        .await
        .unwrap_err();
        assert_eq!(err, ReadError::ConversationNotFound);
        let missing = AttachmentId::generate();
        let err = read(&store, &FakeFiles::default(), &me, meta.id, missing, 7, "r")
            .await
            .unwrap_err();
        assert_eq!(err, ReadError::AttachmentNotFound);
    }
}
