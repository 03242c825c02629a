//! In-memory stand-ins for the attachment ports, for the use cases' unit tests. They apply
//! the same rules the DynamoDB conditions express (who may upload, status transitions).

use super::model::{Attachment, ContentType, Filename, Status};
use crate::access::audit::AuditEvent;
use crate::adapters::dynamo::StoreError;
use crate::conversations::{
    Conversation, ConversationKind, ConversationState, NewConversation, ParticipantKind,
    ParticipantRef,
};
use crate::domain::caller::Caller;
use crate::domain::ids::{AccountId, AttachmentId, ConversationId, OrgId};
use crate::domain::role::Role;
use crate::ports::attachments::{
    AttachmentFiles, AttachmentStore, Checked, FilesError, ObjectHead, PresignedUpload,
    Reservation, ReserveRefusal, UploadBudget,
};
use async_trait::async_trait;
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::sync::Mutex;

pub fn patient() -> Caller {
    Caller {
        account_id: AccountId::generate(),
        role: Role::Patient,
        org_id: None,
        visible_links: vec![],
    }
}

/// An active conversation of `kind` with `who` as its one participant.
pub fn conversation(who: &Caller, kind: ConversationKind) -> Conversation {
    Conversation::new(
        NewConversation {
            id: ConversationId::generate(),
            org_id: OrgId::generate(),
            kind,
            subject: None,
            tags: vec![],
            state: ConversationState::Active,
            identity: None,
            contact_match: None,
            link_id: None,
            contact_ids: vec![],
            channel: None,
            participants: vec![ParticipantRef {
                id: who.account_id,
                kind: ParticipantKind::Patient,
                name: "P".into(),
            }],
            created_by: None,
        },
        1,
    )
}

/// An attachment reserved by `who` for exactly `bytes`, still `uploading`.
pub fn uploaded(
    who: &Caller,
    conversation: &ConversationId,
    bytes: &[u8],
    content_type: ContentType,
) -> Attachment {
    Attachment {
        id: AttachmentId::generate(),
        conversation_id: *conversation,
        uploader: who.account_id,
        filename: Filename::parse("file").unwrap_or_else(|_| unreachable!()),
        content_type,
        size: bytes.len() as u64,
        status: Status::Uploading,
        reject_reason: None,
        checked_etag: None,
        message_id: None,
        created_at: 1,
    }
}

#[derive(Default)]
struct State {
    meta: Option<Conversation>,
    attachments: BTreeMap<AttachmentId, Attachment>,
    reservations: Vec<UploadBudget>,
    audits: usize,
}

#[derive(Default)]
pub struct FakeStore(Mutex<State>);

impl FakeStore {
    pub fn with_conversation(meta: Conversation) -> Self {
        let store = Self::default();
        store.state().meta = Some(meta);
        store
    }
    fn state(&self) -> std::sync::MutexGuard<'_, State> {
        self.0.lock().unwrap_or_else(|p| p.into_inner())
    }
    pub fn put(&self, a: Attachment) {
        self.state().attachments.insert(a.id, a);
    }
    pub fn attachments(&self) -> Vec<Attachment> {
        self.state().attachments.values().cloned().collect()
    }
    /// The per-conversation budget each committed reservation spent from.
    pub fn reservations(&self) -> Vec<UploadBudget> {
        self.state().reservations.clone()
    }
    pub fn audits(&self) -> usize {
        self.state().audits
    }
}

#[async_trait]
impl AttachmentStore for FakeStore {
    async fn reserve(&self, r: &Reservation<'_>) -> Result<(), ReserveRefusal> {
        let mut s = self.state();
        let open = s.meta.as_ref().is_some_and(|m| {
            m.visible_to(r.caller)
                && m.id == r.attachment.conversation_id
                && m.kind == ConversationKind::Secure
                && m.state == ConversationState::Active
                && !m.read_only
        });
        if !open {
            return Err(ReserveRefusal::Conversation);
        }
        s.attachments.insert(r.attachment.id, r.attachment.clone());
        s.reservations.push(r.per_conversation);
        s.audits += 1;
        Ok(())
    }

    async fn conversation(&self, id: &ConversationId) -> Result<Option<Conversation>, StoreError> {
        Ok(self.state().meta.clone().filter(|m| &m.id == id))
    }

    async fn conversation_and_attachment(
        &self,
        conversation: &ConversationId,
        attachment: &AttachmentId,
    ) -> Result<(Option<Conversation>, Option<Attachment>), StoreError> {
        Ok((
            self.conversation(conversation).await?,
            self.attachment(conversation, attachment).await?,
        ))
    }

    async fn attachment(
        &self,
        conversation: &ConversationId,
        attachment: &AttachmentId,
    ) -> Result<Option<Attachment>, StoreError> {
        Ok(self
            .state()
            .attachments
            .get(attachment)
            .filter(|a| &a.conversation_id == conversation)
            .cloned())
    }

    async fn record_check(
        &self,
        attachment: &Attachment,
        from: Status,
        verdict: Checked,
        etag: &str,
        _now_ms: i64,
    ) -> Result<bool, StoreError> {
        let mut s = self.state();
        let Some(stored) = s.attachments.get_mut(&attachment.id) else {
            return Ok(false);
        };
        if stored.status != from {
            return Ok(false);
        }
        (stored.status, stored.reject_reason) = match verdict {
            Checked::Ready => (Status::Ready, None),
            Checked::Rejected(r) => (Status::Rejected, Some(r)),
        };
        stored.checked_etag = Some(etag.to_string());
        Ok(true)
    }

    async fn for_post(
        &self,
        conversation: &ConversationId,
        attachments: &[AttachmentId],
    ) -> Result<(Option<Conversation>, Vec<Attachment>), StoreError> {
        let s = self.state();
        let found = attachments
            .iter()
            .filter_map(|id| s.attachments.get(id))
            .filter(|a| &a.conversation_id == conversation)
            .cloned()
            .collect();
        Ok((s.meta.clone().filter(|m| &m.id == conversation), found))
    }

    async fn audit(&self, _event: &AuditEvent<'_>, _now_ms: i64) -> Result<(), StoreError> {
        self.state().audits += 1;
        Ok(())
    }
}

/// A bucket in memory; ETags are content hashes, as S3's are for single-part uploads.
#[derive(Default)]
pub struct FakeFiles(Mutex<BTreeMap<String, Vec<u8>>>);

impl FakeFiles {
    fn objects(&self) -> std::sync::MutexGuard<'_, BTreeMap<String, Vec<u8>>> {
        self.0.lock().unwrap_or_else(|p| p.into_inner())
    }
    pub fn put(&self, key: &str, bytes: &[u8]) {
        self.objects().insert(key.to_string(), bytes.to_vec());
    }
    pub fn exists(&self, key: &str) -> bool {
        self.objects().contains_key(key)
    }
}

#[async_trait]
impl AttachmentFiles for FakeFiles {
    async fn presign_upload(
        &self,
        key: &str,
        content_type: ContentType,
        size: u64,
        signed_at_ms: i64,
        expires_in_secs: u64,
    ) -> Result<PresignedUpload, FilesError> {
        Ok(PresignedUpload {
            url: format!("https://bucket.test/{key}?put"),
            headers: vec![
                ("content-length".into(), size.to_string()),
                ("content-type".into(), content_type.as_str().into()),
            ],
            expires_at_ms: signed_at_ms + expires_in_secs as i64 * 1000,
        })
    }

    async fn presign_download(
        &self,
        key: &str,
        _signed_at_ms: i64,
        _expires_in_secs: u64,
    ) -> Result<String, FilesError> {
        Ok(format!("https://bucket.test/{key}?get"))
    }

    async fn head(&self, key: &str, first: u64) -> Result<Option<ObjectHead>, FilesError> {
        Ok(self.objects().get(key).map(|bytes| ObjectHead {
            size: bytes.len() as u64,
            etag: hex::encode(&Sha256::digest(bytes)[..8]),
            first_bytes: bytes.iter().take(first as usize).copied().collect(),
        }))
    }

    async fn delete(&self, key: &str) -> Result<(), FilesError> {
        self.objects().remove(key);
        Ok(())
    }

    async fn mark_attached(&self, key: &str) -> Result<(), FilesError> {
        if self.exists(key) {
            Ok(())
        } else {
            Err(FilesError::Missing)
        }
    }

    async fn write_card(&self, key: &str, body: Vec<u8>) -> Result<(), FilesError> {
        self.objects().insert(key.to_string(), body);
        Ok(())
    }

    async fn read_card(&self, key: &str) -> Result<Option<Vec<u8>>, FilesError> {
        Ok(self.objects().get(key).cloned())
    }
}
