//! The attachment item, `CONV#c` / `A#att`, and its conversion to and from the model.

use crate::adapters::dynamo::{keys, Item};
use crate::attachments::model::{Attachment, ContentType, Filename, RejectReason, Status};
use crate::domain::ids::{AccountId, AttachmentId, ConversationId, MessageId};
use serde::{Deserialize, Serialize};

/// An unattached attachment item expires two days after its reservation (S3's lifecycle
/// deletes the never-attached object after one).
const UNATTACHED_TTL_MS: i64 = 2 * 24 * 3600 * 1000;

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct AttachmentItem {
    pub pk: String,
    pub sk: String,
    pub id: AttachmentId,
    pub conversation_id: ConversationId,
    pub uploader: AccountId,
    pub filename: Filename,
    pub content_type: ContentType,
    pub size: u64,
    pub status: Status,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reject_reason: Option<RejectReason>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub checked_etag: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message_id: Option<MessageId>,
    pub created_at: i64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ttl: Option<i64>,
}

impl AttachmentItem {
    pub fn key(conversation: &ConversationId, attachment: &AttachmentId) -> Item {
        crate::adapters::dynamo::key(
            keys::conversation_pk(conversation),
            keys::attachment_sk(attachment),
        )
    }

    pub fn from_model(a: &Attachment) -> Self {
        Self {
            pk: keys::conversation_pk(&a.conversation_id),
            sk: keys::attachment_sk(&a.id),
            id: a.id,
            conversation_id: a.conversation_id,
            uploader: a.uploader,
            filename: a.filename.clone(),
            content_type: a.content_type,
            size: a.size,
            status: a.status,
            reject_reason: a.reject_reason,
            checked_etag: a.checked_etag.clone(),
            message_id: a.message_id,
            created_at: a.created_at,
            ttl: a
                .message_id
                .is_none()
                .then(|| (a.created_at + UNATTACHED_TTL_MS) / 1000),
        }
    }

    pub fn into_model(self) -> Attachment {
        Attachment {
            id: self.id,
            conversation_id: self.conversation_id,
            uploader: self.uploader,
            filename: self.filename,
            content_type: self.content_type,
            size: self.size,
            status: self.status,
            reject_reason: self.reject_reason,
            checked_etag: self.checked_etag,
            message_id: self.message_id,
            created_at: self.created_at,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::adapters::dynamo::{from_item, to_item};

    fn attachment() -> Attachment {
        Attachment {
            id: AttachmentId::generate(),
            conversation_id: ConversationId::generate(),
            uploader: AccountId::generate(),
            filename: Filename::parse("scan.pdf").unwrap(),
            content_type: ContentType::Pdf,
            size: 1234,
            status: Status::Uploading,
            reject_reason: None,
            checked_etag: None,
            message_id: None,
            created_at: 1_000,
        }
    }

    #[test]
    fn the_item_round_trips_and_expires_only_while_unattached() {
        let mut attachment = attachment();
        let item = AttachmentItem::from_model(&attachment);
        assert_eq!(item.ttl, Some((1_000 + UNATTACHED_TTL_MS) / 1000));
        let back: AttachmentItem = from_item(to_item(&item).unwrap()).unwrap();
        assert_eq!(back.into_model(), attachment);
        attachment.message_id = Some(MessageId::generate());
        assert_eq!(AttachmentItem::from_model(&attachment).ttl, None);
    }
}
