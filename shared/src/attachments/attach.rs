//! Attaching ready attachments to a message: the message post's part of the aggregate.
//!
//! A post with `attachment_ids` is ONE DynamoDB round trip, its `TransactWriteItems`:
//! 1. [`prepare`] reads each attachment's card from S3 (`super::card`: what a message shows
//!    of it, written by the upload check when the object matched its declaration),
//!    concurrently, and keeps those of the sender; then it marks the objects attached in S3
//!    (their `unattached` tag is what the bucket's lifecycle rule deletes). No DynamoDB read.
//! 2. The post's transaction updates every attachment item (`SET message_id`) under the
//!    condition that it is in this conversation (the key), `ready`, uploaded by the sender,
//!    on no message yet, and has exactly the card's filename, type and size. So the
//!    metadata the message stores is the item's own (a stale or forged card only makes the
//!    post fail), two posts never attach the same file, and nothing the client sends
//!    beyond the ids is believed. An attachment already on a message is left to that
//!    condition on purpose: a retry of the same post is answered its stored message (its
//!    idempotency slot fails first), any other post is refused.
//! 3. Only a refused post reads, to say why ([`refusal`]: one `GetItem` of the refused
//!    attachment): missing or someone else's → 404 `attachment_not_found`, still uploading
//!    → 409 `attachment_not_ready`, rejected → 409 `attachment_rejected`, on a message
//!    already → 409 `attachment_unavailable`. The conversation's own refusals (not visible
//!    → 404, closed → 409, standard → 400 `attachments_not_supported`) are the post's.
//!
//! Round trips of a post with attachments: S3 `GetObject` (the card) per attachment, then
//! S3 `GetObjectTagging` + `PutObjectTagging` per attachment (concurrently per step), then
//! the post's one `TransactWriteItems`. A card that is missing (an upload checked before
//! cards existed, a failed card write, or not the sender's) falls back to one
//! `BatchGetItem` of the conversation and the items, which also explains the refusal.
//! A post without attachments makes none of these.
//!
//! The S3 tag is changed before the commit on purpose: if the commit then fails, the worst
//! case is an object that does not expire; the other order could lose an attached file.
//! Only the sender's own ready uploads (by their card) are marked before the commit.

use super::card::{card_key, AttachmentCard};
use super::model::{Attachment, ContentType, Filename, Status};
use crate::adapters::dynamo::StoreError;
use crate::conversations::{Closed, ConversationKind};
use crate::domain::caller::Caller;
use crate::domain::ids::{AccountId, AttachmentId, ConversationId};
use crate::ports::attachments::{AttachmentFiles, AttachmentStore, FilesError};
use serde::{Deserialize, Serialize};

/// At most this many attachments per message (API.md).
pub const MAX_PER_MESSAGE: usize = 5;

/// An attachment as a message carries it: `{id, filename, content_type, size}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AttachmentRef {
    pub id: AttachmentId,
    pub filename: Filename,
    pub content_type: ContentType,
    pub size: u64,
}

impl AttachmentRef {
    pub fn of(a: &Attachment) -> Self {
        Self {
            id: a.id,
            filename: a.filename.clone(),
            content_type: a.content_type,
            size: a.size,
        }
    }

    /// The JSON a message shows.
    pub fn view(&self) -> serde_json::Value {
        serde_json::json!({
            "id": self.id,
            "filename": self.filename.as_str(),
            "content_type": self.content_type.as_str(),
            "size": self.size,
        })
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BadAttachmentIds {
    #[error("may list at most 5 attachments")]
    TooMany,
    #[error("lists the same attachment twice")]
    Duplicate,
    #[error("[{0}] is not an attachment id")]
    Malformed(usize),
}

/// The ids of a post's `attachment_ids`: at most five, each once.
pub fn parse_ids(raw: &[String]) -> Result<Vec<AttachmentId>, BadAttachmentIds> {
    if raw.len() > MAX_PER_MESSAGE {
        return Err(BadAttachmentIds::TooMany);
    }
    let mut ids: Vec<AttachmentId> = Vec::with_capacity(raw.len());
    for (i, r) in raw.iter().enumerate() {
        let id: AttachmentId = r.parse().map_err(|_| BadAttachmentIds::Malformed(i))?;
        if ids.contains(&id) {
            return Err(BadAttachmentIds::Duplicate);
        }
        ids.push(id);
    }
    Ok(ids)
}

/// Why an attachment cannot go on this message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum NotAttachable {
    /// Missing, in another conversation, or uploaded by someone else (indistinguishable on
    /// purpose: another person's upload is none of the sender's business).
    #[error("no such attachment: {0}")]
    NotFound(AttachmentId),
    #[error("attachment {0} is still uploading or being checked")]
    NotReady(AttachmentId),
    #[error("attachment {0} was rejected")]
    Rejected(AttachmentId),
    /// Ready and the sender's, but on a message already (or its card was stale).
    #[error("attachment {0} can no longer be attached")]
    Taken(AttachmentId),
}

/// The refs to put on the message, in the order asked, if every attachment in `found` (what
/// was read for `ids` in this conversation) is `sender`'s and ready. Whether it is on a
/// message already is the transaction's to decide (see the module docs).
pub fn attachable(
    ids: &[AttachmentId],
    found: &[Attachment],
    sender: &AccountId,
) -> Result<Vec<AttachmentRef>, NotAttachable> {
    ids.iter()
        .map(|id| {
            let a = found
                .iter()
                .find(|a| &a.id == id && &a.uploader == sender)
                .ok_or(NotAttachable::NotFound(*id))?;
            match a.status {
                Status::Uploading => Err(NotAttachable::NotReady(*id)),
                Status::Rejected => Err(NotAttachable::Rejected(*id)),
                Status::Ready => Ok(AttachmentRef::of(a)),
            }
        })
        .collect()
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PrepareError {
    #[error("no such conversation")]
    ConversationNotFound,
    #[error("standard conversations take no attachments")]
    NotSecure,
    #[error(transparent)]
    Closed(#[from] Closed),
    #[error(transparent)]
    NotAttachable(#[from] NotAttachable),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Files(#[from] FilesError),
}

/// What the message will show of each attachment (in `ids` order), from their cards, or
/// from the items when a card is missing; then their objects are marked attached.
pub async fn prepare(
    store: &impl AttachmentStore,
    files: &dyn AttachmentFiles,
    sender: &Caller,
    conversation: &ConversationId,
    ids: &[AttachmentId],
) -> Result<Vec<AttachmentRef>, PrepareError> {
    let card_keys: Vec<String> = ids.iter().map(|id| card_key(conversation, id)).collect();
    let cards = futures::future::join_all(card_keys.iter().map(|k| files.read_card(k))).await;
    let mut refs = Vec::with_capacity(ids.len());
    for (card, id) in cards.into_iter().zip(ids) {
        let card = card?.and_then(|bytes| AttachmentCard::parse(&bytes, conversation, id));
        match card {
            Some(c) if c.uploader == sender.account_id => refs.push(c.attachment),
            _ => break,
        }
    }
    if refs.len() < ids.len() {
        refs = from_items(store, sender, conversation, ids).await?;
    }
    let keys: Vec<String> = ids
        .iter()
        .map(|id| super::model::object_key(conversation, id))
        .collect();
    let marked = futures::future::join_all(keys.iter().map(|k| files.mark_attached(k))).await;
    for (result, id) in marked.into_iter().zip(ids) {
        match result {
            Ok(()) => {}
            // The object is gone (expired): as good as never uploaded.
            Err(FilesError::Missing) => return Err(NotAttachable::NotFound(*id).into()),
            Err(e) => return Err(e.into()),
        }
    }
    Ok(refs)
}

/// Without every card: the conversation and the items in one `BatchGetItem`, checked.
async fn from_items(
    store: &impl AttachmentStore,
    sender: &Caller,
    conversation: &ConversationId,
    ids: &[AttachmentId],
) -> Result<Vec<AttachmentRef>, PrepareError> {
    let (meta, found) = store.for_post(conversation, ids).await?;
    let meta = meta
        .filter(|m| m.visible_to(sender))
        .ok_or(PrepareError::ConversationNotFound)?;
    if meta.kind != ConversationKind::Secure {
        return Err(PrepareError::NotSecure);
    }
    meta.open_for_posts()?;
    Ok(attachable(ids, &found, &sender.account_id)?)
}

/// Why the post's transaction refused attachment `id` (read only then: one `GetItem`).
pub async fn refusal(
    store: &impl AttachmentStore,
    sender: &Caller,
    conversation: &ConversationId,
    id: &AttachmentId,
) -> PrepareError {
    match store.attachment(conversation, id).await {
        Err(e) => e.into(),
        Ok(found) => {
            let found: Vec<Attachment> = found.into_iter().collect();
            match attachable(&[*id], &found, &sender.account_id) {
                Err(reason) => reason.into(),
                Ok(_) => NotAttachable::Taken(*id).into(),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::attachments::fakes::{conversation, patient, uploaded, FakeFiles, FakeStore};
    use crate::domain::ids::MessageId;

    #[tokio::test]
    async fn prepare_reads_once_checks_and_marks_the_objects_attached() {
        let me = patient();
        let meta = conversation(&me, ConversationKind::Secure);
        let store = FakeStore::with_conversation(meta.clone());
        let files = FakeFiles::default();
        let mut a = uploaded(&me, &meta.id, b"%PDF-1.7", ContentType::Pdf);
        a.status = Status::Ready;
        store.put(a.clone());
        let refs = prepare(&store, &files, &me, &meta.id, &[a.id]).await;
        // The object was never uploaded: as good as missing.
        assert_eq!(refs, Err(NotAttachable::NotFound(a.id).into()));
        files.put(&a.object_key(), b"%PDF-1.7");
        let refs = prepare(&store, &files, &me, &meta.id, &[a.id])
            .await
            .unwrap();
        assert_eq!(refs, vec![AttachmentRef::of(&a)]);
        let stranger = patient();
        let hidden = prepare(&store, &files, &stranger, &meta.id, &[a.id]).await;
        assert_eq!(hidden, Err(PrepareError::ConversationNotFound));
    }

    #[tokio::test]
    async fn with_their_cards_prepare_reads_no_item_and_trusts_only_the_senders() {
        let me = patient();
        let meta = conversation(&me, ConversationKind::Secure);
        let files = FakeFiles::default();
        let mut a = uploaded(&me, &meta.id, b"%PDF-1.7", ContentType::Pdf);
        a.status = Status::Ready;
        files.put(&a.object_key(), b"%PDF-1.7");
        let card = AttachmentCard::of(&a);
        files
            .write_card(&card_key(&meta.id, &a.id), card.to_bytes())
            .await
            .unwrap();
        // The store holds neither the conversation nor the item: the card alone answers.
        let empty = FakeStore::default();
        let refs = prepare(&empty, &files, &me, &meta.id, &[a.id]).await;
        assert_eq!(refs, Ok(vec![AttachmentRef::of(&a)]));
        // Someone else's card is not believed: the items are read (and say 404 here).
        let stranger = patient();
        let store = FakeStore::with_conversation(meta.clone());
        store.put(a.clone());
        let theirs = prepare(&store, &files, &stranger, &meta.id, &[a.id]).await;
        assert_eq!(theirs, Err(PrepareError::ConversationNotFound));
    }

    #[tokio::test]
    async fn a_refused_attachment_is_read_once_to_say_why() {
        let me = patient();
        let meta = conversation(&me, ConversationKind::Secure);
        let store = FakeStore::with_conversation(meta.clone());
        let mut a = uploaded(&me, &meta.id, b"x", ContentType::Jpeg);
        store.put(a.clone());
        assert_eq!(
            refusal(&store, &me, &meta.id, &a.id).await,
            NotAttachable::NotReady(a.id).into()
        );
        a.status = Status::Rejected;
        store.put(a.clone());
        assert_eq!(
            refusal(&store, &me, &meta.id, &a.id).await,
            NotAttachable::Rejected(a.id).into()
        );
        a.status = Status::Ready;
        a.message_id = Some(MessageId::generate());
        store.put(a.clone());
        assert_eq!(
            refusal(&store, &me, &meta.id, &a.id).await,
            NotAttachable::Taken(a.id).into()
        );
        assert_eq!(
            refusal(&store, &patient(), &meta.id, &a.id).await,
            NotAttachable::NotFound(a.id).into()
        );
        let missing = AttachmentId::generate();
        assert_eq!(
            refusal(&store, &me, &meta.id, &missing).await,
            NotAttachable::NotFound(missing).into()
        );
    }

    #[tokio::test]
    async fn standard_and_closed_conversations_take_no_attachments() {
        // (Without a card, as no upload to them can have one, the items are read.)
        let me = patient();
        let any = [AttachmentId::generate()];
        let standard = conversation(&me, ConversationKind::Standard);
        let store = FakeStore::with_conversation(standard.clone());
        let got = prepare(&store, &FakeFiles::default(), &me, &standard.id, &any).await;
        assert_eq!(got, Err(PrepareError::NotSecure));
        let mut closed = conversation(&me, ConversationKind::Secure);
        closed.read_only = true;
        let store = FakeStore::with_conversation(closed.clone());
        let got = prepare(&store, &FakeFiles::default(), &me, &closed.id, &any).await;
        assert_eq!(got, Err(PrepareError::Closed(Closed::ReadOnly)));
    }

    #[test]
    fn ids_are_at_most_five_distinct_attachment_ids() {
        let ids: Vec<String> = (0..5)
            .map(|_| AttachmentId::generate().to_string())
            .collect();
        assert_eq!(parse_ids(&ids).unwrap().len(), 5);
        let mut six = ids.clone();
        six.push(AttachmentId::generate().to_string());
        assert_eq!(parse_ids(&six), Err(BadAttachmentIds::TooMany));
        assert_eq!(
            parse_ids(&[ids[0].clone(), ids[0].clone()]),
            Err(BadAttachmentIds::Duplicate)
        );
        assert_eq!(
            parse_ids(&[ids[0].clone(), MessageId::generate().to_string()]),
            Err(BadAttachmentIds::Malformed(1))
        );
        assert_eq!(parse_ids(&[]), Ok(vec![]));
    }

    #[test]
    fn only_the_senders_ready_unattached_files_go_on_a_message() {
        let me = patient();
        let conv = ConversationId::generate();
        let mut ready = uploaded(&me, &conv, b"%PDF", ContentType::Pdf);
        ready.status = Status::Ready;
        let waiting = uploaded(&me, &conv, b"x", ContentType::Jpeg);
        let mut rejected = uploaded(&me, &conv, b"x", ContentType::Jpeg);
        rejected.status = Status::Rejected;
        let mut used = ready.clone();
        used.id = AttachmentId::generate();
        used.message_id = Some(MessageId::generate());
        // Already on a message: left to the post's transaction (a retry must pass).
        assert!(attachable(&[used.id], &[used.clone()], &me.account_id).is_ok());
        let mut theirs = ready.clone();
        theirs.id = AttachmentId::generate();
        theirs.uploader = AccountId::generate();
        let found = vec![
            ready.clone(),
            waiting.clone(),
            rejected.clone(),
            used.clone(),
            theirs.clone(),
        ];
        let refs = attachable(&[ready.id], &found, &me.account_id).unwrap();
        assert_eq!(refs, vec![AttachmentRef::of(&ready)]);
        let one = |id| attachable(&[ready.id, id], &found, &me.account_id);
        assert_eq!(one(waiting.id), Err(NotAttachable::NotReady(waiting.id)));
        assert_eq!(one(rejected.id), Err(NotAttachable::Rejected(rejected.id)));
        assert_eq!(one(theirs.id), Err(NotAttachable::NotFound(theirs.id)));
        let missing = AttachmentId::generate();
        assert_eq!(one(missing), Err(NotAttachable::NotFound(missing)));
    }
}
