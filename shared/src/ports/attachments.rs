//! Ports of the attachments aggregate (see docs/architecture.md): the item store
//! ([`AttachmentStore`], implemented by `adapters::dynamo::attachments`) and the bytes
//! ([`AttachmentFiles`], implemented by `adapters::s3`). The use cases in
//! `crate::attachments` take them as `&impl AttachmentStore` / `&dyn AttachmentFiles`, so
//! they are unit-tested against in-memory fakes.

use crate::access::audit::AuditEvent;
use crate::adapters::dynamo::StoreError;
use crate::attachments::model::{Attachment, ContentType, RejectReason, Status};
use crate::conversations::Conversation;
use crate::domain::caller::Caller;
use crate::domain::ids::{AttachmentId, ConversationId};
use async_trait::async_trait;

/// Daily (UTC) upload allowance of one conversation or one account.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UploadBudget {
    pub uploads: u32,
    pub bytes: u64,
}

/// Everything the reservation's one transaction needs.
pub struct Reservation<'a> {
    pub attachment: &'a Attachment,
    pub caller: &'a Caller,
    pub per_conversation: UploadBudget,
    pub per_account: UploadBudget,
    /// `2026-11-30`: the budget window.
    pub day: String,
    pub now_ms: i64,
    pub request_id: &'a str,
}

/// Why a reservation did not commit.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ReserveRefusal {
    /// The conversation is not one the caller may upload to now (absent, not visible,
    /// read-only, not active, or not secure): read it to say which.
    #[error("the conversation refused the upload")]
    Conversation,
    #[error("the conversation's daily upload budget is spent")]
    ConversationBudget,
    #[error("the account's daily upload budget is spent")]
    AccountBudget,
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// The upload check's conclusion for one object.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Checked {
    Ready,
    Rejected(RejectReason),
}

#[async_trait]
pub trait AttachmentStore: Send + Sync {
    /// Reserves the attachment (status `uploading`) in one TransactWriteItems that also
    /// checks the conversation, spends both budgets and writes the audit item.
    async fn reserve(&self, reservation: &Reservation<'_>) -> Result<(), ReserveRefusal>;

    /// The conversation's meta (consistent read).
    async fn conversation(
        &self,
        conversation: &ConversationId,
    ) -> Result<Option<Conversation>, StoreError>;

    /// The meta and the attachment together, in one call.
    async fn conversation_and_attachment(
        &self,
        conversation: &ConversationId,
        attachment: &AttachmentId,
    ) -> Result<(Option<Conversation>, Option<Attachment>), StoreError>;

    /// One attachment (consistent read).
    async fn attachment(
        &self,
        conversation: &ConversationId,
        attachment: &AttachmentId,
    ) -> Result<Option<Attachment>, StoreError>;

    /// Records the check's verdict for the object with `etag`, only if the attachment is
    /// still in status `from` (a concurrent check of the same object decides once).
    /// Returns whether this call recorded it.
    async fn record_check(
        &self,
        attachment: &Attachment,
        from: Status,
        verdict: Checked,
        etag: &str,
        now_ms: i64,
    ) -> Result<bool, StoreError>;

    /// The meta and the attachment items a message post names, in one call (absent items
    /// are simply not in the list).
    async fn for_post(
        &self,
        conversation: &ConversationId,
        attachments: &[AttachmentId],
    ) -> Result<(Option<Conversation>, Vec<Attachment>), StoreError>;

    /// A standalone audit item (reads have no transaction to carry it).
    async fn audit(&self, event: &AuditEvent<'_>, now_ms: i64) -> Result<(), StoreError>;
}

/// A PUT URL presigned for exactly one object, type and length.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PresignedUpload {
    pub url: String,
    /// Headers the client must send as they are (they are part of the signature).
    pub headers: Vec<(String, String)>,
    pub expires_at_ms: i64,
}

/// What the upload check reads of an object: its real size, its ETag and first bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ObjectHead {
    pub size: u64,
    pub etag: String,
    pub first_bytes: Vec<u8>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FilesError {
    /// Throttled, timed out or unreachable after the SDK's bounded retries: answer 503.
    #[error("object storage unavailable")]
    Unavailable,
    /// No object at that key (never uploaded, or deleted).
    #[error("no such object")]
    Missing,
    #[error("object storage error: {0}")]
    Other(String),
}

#[async_trait]
pub trait AttachmentFiles: Send + Sync {
    /// A PUT URL for `key` that S3 accepts only with this content type and length (and
    /// only while no object exists at `key`), valid `expires_in_secs` from `signed_at_ms`.
    async fn presign_upload(
        &self,
        key: &str,
        content_type: ContentType,
        size: u64,
        signed_at_ms: i64,
        expires_in_secs: u64,
    ) -> Result<PresignedUpload, FilesError>;

    /// A GET URL for `key`, valid `expires_in_secs` from `signed_at_ms`.
    async fn presign_download(
        &self,
        key: &str,
        signed_at_ms: i64,
        expires_in_secs: u64,
    ) -> Result<String, FilesError>;

    /// Size, ETag and the first `first` bytes of the object; None when there is none.
    async fn head(&self, key: &str, first: u64) -> Result<Option<ObjectHead>, FilesError>;

    async fn delete(&self, key: &str) -> Result<(), FilesError>;

    /// Marks the object as attached to a message, so the bucket's lifecycle rule for
    /// never-attached uploads no longer applies to it (other tags are kept).
    async fn mark_attached(&self, key: &str) -> Result<(), FilesError>;

    /// Writes a small server-made JSON object (an attachment card, `attachments::card`).
    async fn write_card(&self, key: &str, body: Vec<u8>) -> Result<(), FilesError>;

    /// Reads one back; None when there is none.
    async fn read_card(&self, key: &str) -> Result<Option<Vec<u8>>, FilesError>;
}
