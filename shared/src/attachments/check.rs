//! The upload check: what the S3 notification triggers for each new object.
//!
//! The object's size and first [`SNIFF_BYTES`] must match what was declared at reservation
//! (the type by its magic bytes, through the `infer` crate); then the attachment is
//! `ready`, or `rejected` and the object deleted, so a file that is not what it claims
//! never reaches a reader.
//!
//! Idempotent on the record: the verdict is recorded with the object's ETag, conditioned on
//! the status it was read in, so a redelivered event changes nothing and two concurrent
//! checks decide once. An object replaced after its check (another ETag) is checked again.
//!
//! Round trips: `GetItem` (the attachment), a ranged S3 `GetObject`, for a match an S3
//! `PutObject` of its card (`super::card`: what a post shows of it), one conditional
//! `UpdateItem`, and a `DeleteObject` for a rejected (or orphaned) object.

use super::card::{card_key, AttachmentCard};
use super::model::{parse_object_key, verdict, RejectReason, Status, SNIFF_BYTES};
use crate::adapters::dynamo::StoreError;
use crate::ports::attachments::{AttachmentFiles, AttachmentStore, Checked, FilesError};

/// What the check did with one object (logged by the function, ids only).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CheckOutcome {
    /// The key is not an attachment key: skipped (a poison record never blocks the rest).
    NotOurs,
    /// No attachment item for this key (never reserved, or expired): object deleted.
    Orphan,
    /// The object is gone already (deleted by an earlier delivery).
    Gone,
    /// Already checked with this ETag.
    Unchanged,
    Ready,
    Rejected(RejectReason),
    /// Another check of the same attachment recorded its verdict first.
    Superseded,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CheckError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Files(#[from] FilesError),
}

pub async fn check_upload(
    store: &impl AttachmentStore,
    files: &dyn AttachmentFiles,
    key: &str,
    now_ms: i64,
) -> Result<CheckOutcome, CheckError> {
    let Some((conversation, id)) = parse_object_key(key) else {
        return Ok(CheckOutcome::NotOurs);
    };
    let Some(attachment) = store.attachment(&conversation, &id).await? else {
        files.delete(key).await?;
        return Ok(CheckOutcome::Orphan);
    };
    if attachment.status == Status::Rejected {
        // A rejected key is never read again, whatever was put there since.
        files.delete(key).await?;
        return Ok(CheckOutcome::Rejected(
            attachment
                .reject_reason
                .unwrap_or(RejectReason::TypeMismatch),
        ));
    }
    let Some(head) = files.head(key, SNIFF_BYTES).await? else {
        return Ok(CheckOutcome::Gone);
    };
    if attachment.checked_etag.as_deref() == Some(head.etag.as_str()) {
        return Ok(CheckOutcome::Unchanged);
    }
    let checked = match verdict(
        attachment.content_type,
        attachment.size,
        head.size,
        &head.first_bytes,
    ) {
        Ok(()) => Checked::Ready,
        Err(reason) => Checked::Rejected(reason),
    };
    if checked == Checked::Ready {
        // The card first: once the item says `ready`, a post finds the card (module docs
        // of `super::card`); a card of a check that loses the race below is harmless (the
        // post's transaction conditions the item itself).
        let card = AttachmentCard::of(&attachment);
        files
            .write_card(&card_key(&conversation, &id), card.to_bytes())
            .await?;
    }
    let recorded = store
        .record_check(&attachment, attachment.status, checked, &head.etag, now_ms)
        .await?;
    if !recorded {
        return Ok(CheckOutcome::Superseded);
    }
    match checked {
        Checked::Ready => Ok(CheckOutcome::Ready),
        Checked::Rejected(reason) => {
            files.delete(key).await?;
            Ok(CheckOutcome::Rejected(reason))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::attachments::fakes::{conversation, patient, uploaded, FakeFiles, FakeStore};
    use crate::attachments::model::ContentType;
    use crate::conversations::ConversationKind;

    const JPEG: &[u8] = &[
        0xFF, 0xD8, 0xFF, 0xE0, 0, 0x10, b'J', b'F', b'I', b'F', 0, 1,
    ];
    const PNG: &[u8] = &[
        0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 0x0D,
    ];

    fn setup(bytes: &[u8], declared: ContentType) -> (FakeStore, FakeFiles, String) {
        let me = patient();
        let meta = conversation(&me, ConversationKind::Secure);
        let store = FakeStore::with_conversation(meta.clone());
        let a = uploaded(&me, &meta.id, bytes, declared);
        let files = FakeFiles::default();
        files.put(&a.object_key(), bytes);
        store.put(a.clone());
        (store, files, a.object_key())
    }

    #[tokio::test]
    async fn a_matching_object_becomes_ready_once() {
        let (store, files, key) = setup(JPEG, ContentType::Jpeg);
        assert_eq!(
            check_upload(&store, &files, &key, 1).await,
            Ok(CheckOutcome::Ready)
        );
        let a = store.attachments()[0].clone();
        assert_eq!(a.status, Status::Ready);
        // Its card: what a post will show of it.
        let card = files
            .read_card(&card_key(&a.conversation_id, &a.id))
            .await
            .unwrap()
            .and_then(|b| AttachmentCard::parse(&b, &a.conversation_id, &a.id))
            .unwrap();
        assert_eq!(
            card.attachment,
            crate::attachments::attach::AttachmentRef::of(&a)
        );
        assert_eq!(card.uploader, a.uploader);
        assert_eq!(
            check_upload(&store, &files, &key, 2).await,
            Ok(CheckOutcome::Unchanged)
        );
        assert!(files.exists(&key));
    }

    #[tokio::test]
    async fn a_png_declared_as_pdf_is_rejected_and_deleted() {
        let (store, files, key) = setup(PNG, ContentType::Pdf);
        assert_eq!(
            check_upload(&store, &files, &key, 1).await,
            Ok(CheckOutcome::Rejected(RejectReason::TypeMismatch))
        );
        let a = store.attachments()[0].clone();
        assert_eq!(a.status, Status::Rejected);
        assert!(!files.exists(&key));
        assert!(
            !files.exists(&card_key(&a.conversation_id, &a.id)),
            "no card"
        );
    }

    #[tokio::test]
    async fn a_replaced_object_is_checked_again() {
        let (store, files, key) = setup(JPEG, ContentType::Jpeg);
        check_upload(&store, &files, &key, 1).await.unwrap();
        let mut other = PNG.to_vec();
        other.truncate(JPEG.len());
        files.put(&key, &other);
        assert_eq!(
            check_upload(&store, &files, &key, 2).await,
            Ok(CheckOutcome::Rejected(RejectReason::TypeMismatch))
        );
        assert!(!files.exists(&key));
    }

    #[tokio::test]
    async fn a_wrong_size_is_rejected_and_strangers_are_deleted_or_skipped() {
        let (store, files, key) = setup(JPEG, ContentType::Jpeg);
        files.put(&key, &[JPEG, b"more"].concat());
        assert_eq!(
            check_upload(&store, &files, &key, 1).await,
            Ok(CheckOutcome::Rejected(RejectReason::SizeMismatch))
        );
        let orphan = crate::attachments::model::object_key(
            &crate::domain::ids::ConversationId::generate(),
            &crate::domain::ids::AttachmentId::generate(),
        );
        files.put(&orphan, JPEG);
        assert_eq!(
            check_upload(&store, &files, &orphan, 1).await,
            Ok(CheckOutcome::Orphan)
        );
        assert!(!files.exists(&orphan));
        assert_eq!(
            check_upload(&store, &files, "other/thing", 1).await,
            Ok(CheckOutcome::NotOurs)
        );
    }
}
