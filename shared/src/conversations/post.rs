//! Posting a message.
//!
//! Round trips: one TransactWriteItems on the happy path, with no read before it (see the
//! slots in `adapters::dynamo::conversations::writes`). With a claimed caller (`cx.proof`,
//! `access::proof`: a patient, or a staff member this process resolved before) the same
//! transaction proves them first, so the post is one round trip authorization included;
//! a refusal of the proof is the one reported, and nothing is explained by reading
//! before the proof held (the caller is read again instead, `http::deferred`). A refused
//! transaction is explained by reading only then:
//! - the sender's `client_message_id` was used: the record (1 GetItem) answers the stored
//!   message (same text) or [`PostError::KeyReused`];
//! - the conversation refused: the conversation (1 GetItem) says why: not visible (404),
//!   closed (409), of the standard kind (the post retries with a delivery), or a newer
//!   message committed first (the post retries with a larger id, so ids stay in commit
//!   order).
//!
//! With attachments (their refs prepared by `attachments::attach::prepare` from S3, with no
//! DynamoDB read), the same transaction conditions each attachment (ready, the sender's, on
//! no message yet, the refs' metadata) and marks it attached; a refused one is
//! [`PostError::AttachmentTaken`], which `attachments::attach::refusal` explains. Such a
//! post never trusts a remembered standard kind: it assumes secure, so a stranger learns
//! nothing before the conversation's own condition (a standard one is
//! [`PostError::AttachmentsNotSupported`] once read).
//!
//! A standard conversation's messages carry a `delivery` (queued), so the post must know
//! the kind before writing, and the one write conditions it (`#kind = :kind`). The kind
//! comes with the request: a conversation's id carries it
//! ([`ConversationId::marked_standard`]), so a post to a standard conversation is one
//! round trip even in a cold process. Why not otherwise: a transaction's conditions
//! cannot make one item's content depend on another item's attribute, and staff are no
//! participants of a standard conversation (there is no row of theirs the post could
//! read the kind from for free); the answer itself must show `delivery` or not. Ids made
//! before the mark (or the rare secure id that looks marked) are guessed wrong once: the
//! refusal reads the conversation, retries, and the process remembers the kind
//! ([`known_kind`]).
//!
//! Participant inbox rows are not touched: which rows exist is only known after reading the
//! conversation, and the post stays one round trip instead.

use super::message::{next_message_id, ClientMessageId, Delivery, Direction, Message, MessageText};
use super::{Closed, Context, ConversationKind, PostRecord, IDEMPOTENCY_MS};
use crate::adapters::dynamo::StoreError;
use crate::attachments::attach::AttachmentRef;
use crate::domain::ids::{AttachmentId, ConversationId, MessageId};
use crate::ports::conversations::{ConversationStore, PostRefused, Posting};
use std::collections::HashMap;
use std::sync::Mutex;

/// Bounded: each retry means another writer committed first or the kind was guessed wrong.
const ATTEMPTS: usize = 25;

pub struct PostInput {
    pub conversation: ConversationId,
    pub text: MessageText,
    pub client_message_id: ClientMessageId,
    /// Ready attachments to put on the message (at most 5; none for most posts).
    pub attachments: Vec<AttachmentRef>,
}

impl PostInput {
    fn attachment_ids(&self) -> Vec<AttachmentId> {
        self.attachments.iter().map(|a| a.id).collect()
    }

    fn request_hash(&self) -> String {
        self.text
            .request_hash_with(&self.conversation, &self.attachment_ids())
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PostError {
    #[error("no such conversation")]
    NotFound,
    #[error(transparent)]
    Closed(#[from] Closed),
    #[error("client_message_id was already used for a different message.")]
    KeyReused,
    /// The transaction refused this attachment (see `attachments::attach::refusal`).
    #[error("attachment {0} can no longer be attached")]
    AttachmentTaken(AttachmentId),
    /// Attachments posted to a standard (SMS/email) conversation.
    #[error("standard conversations take no attachments")]
    AttachmentsNotSupported,
    /// Other posts kept committing first: try again.
    #[error("too many concurrent posts")]
    Busy,
    #[error(transparent)]
    Store(#[from] StoreError),
}

pub async fn post(
    store: &impl ConversationStore,
    cx: &Context<'_>,
    input: &PostInput,
) -> Result<Message, PostError> {
    let conversation = input.conversation;
    let mut id = next_message_id(None);
    let attachment_ids = input.attachment_ids();
    let mut kind = match attachment_ids.is_empty() {
        true => known_kind(&conversation).unwrap_or(if conversation.marked_standard() {
            ConversationKind::Standard
        } else {
            ConversationKind::Secure
        }),
        false => ConversationKind::Secure,
    };
    for _ in 0..ATTEMPTS {
        let message = draft(cx, input, id, kind);
        let record = PostRecord {
            conversation_id: conversation,
            message_id: id,
            request_hash: input.request_hash(),
            sent_at: message.sent_at,
            delivery: message.delivery.clone(),
            expires_at: message.sent_at + IDEMPOTENCY_MS,
            attachments: input.attachments.clone(),
        };
        let posting = Posting {
            poster: cx.caller,
            message: &message,
            record: &record,
            assumed_kind: kind,
            preview: input.text.preview_with(input.attachments.len()),
            attachments: &attachment_ids,
            proof: cx.proof,
        };
        let targets = vec![conversation.to_string(), id.to_string()];
        let event = cx.audit("message.post", targets, "ok");
        match store.post(&posting, &event).await {
            Ok(()) => return Ok(message),
            Err(PostRefused::KeyUsed) => {
                if let Some(stored) = replay(store, cx, input).await? {
                    return Ok(stored);
                }
                // The record expired between the write and the read: try again.
            }
            Err(PostRefused::Conversation) => {
                let found = store
                    .conversation(&conversation)
                    .await?
                    .filter(|c| c.visible_to(cx.caller))
                    .ok_or(PostError::NotFound)?;
                remember_kind(conversation, found.kind);
                if found.kind != ConversationKind::Secure && !attachment_ids.is_empty() {
                    return Err(PostError::AttachmentsNotSupported);
                }
                found.open_for_posts()?;
                kind = found.kind;
                id = next_message_id(found.last_message_id.as_ref());
            }
            Err(PostRefused::MessageIdTaken) => id = next_message_id(Some(&id)),
            Err(PostRefused::AttachmentTaken(a)) => return Err(PostError::AttachmentTaken(a)),
            Err(PostRefused::Store(e)) => return Err(e.into()),
        }
    }
    Err(PostError::Busy)
}

/// A conversation's kind never changes, so a process remembers the kinds its id did not
/// tell right (ids made before the mark): the first post to such a conversation in a
/// process is refused, reads the conversation and retries (3 round trips); every later
/// one is 1. Bounded: the map is dropped when it grows past this.
const KINDS_KEPT: usize = 10_000;
static KINDS: Mutex<Option<HashMap<ConversationId, ConversationKind>>> = Mutex::new(None);

fn known_kind(conversation: &ConversationId) -> Option<ConversationKind> {
    KINDS
        .lock()
        .ok()?
        .as_ref()
        .and_then(|k| k.get(conversation).copied())
}

fn remember_kind(conversation: ConversationId, kind: ConversationKind) {
    if let Ok(mut kinds) = KINDS.lock() {
        let map = kinds.get_or_insert_with(HashMap::new);
        if map.len() >= KINDS_KEPT {
            map.clear();
        }
        map.insert(conversation, kind);
    }
}

fn draft(cx: &Context<'_>, input: &PostInput, id: MessageId, kind: ConversationKind) -> Message {
    Message {
        id,
        conversation_id: input.conversation,
        sender_id: cx.caller.account_id.into(),
        text: input.text.as_str().to_string(),
        client_message_id: input.client_message_id.as_str().to_string(),
        sent_at: cx.now(),
        direction: direction_of(cx),
        delivery: (kind == ConversationKind::Standard).then(|| Delivery::queued(cx.now())),
        attachments: input.attachments.clone(),
    }
}

/// Staff write outbound, patients inbound (API.md: every message has a direction).
fn direction_of(cx: &Context<'_>) -> Direction {
    if cx.caller.role.is_staff() {
        Direction::Outbound
    } else {
        Direction::Inbound
    }
}

/// The message a previous post with this `client_message_id` stored, or
/// [`PostError::KeyReused`] when that post had another text (or conversation); None if the
/// record has expired.
async fn replay(
    store: &impl ConversationStore,
    cx: &Context<'_>,
    input: &PostInput,
) -> Result<Option<Message>, PostError> {
    let sender = &cx.caller.account_id;
    let Some(record) = store.post_record(sender, &input.client_message_id).await? else {
        return Ok(None);
    };
    if record.expires_at <= cx.now() {
        return Ok(None);
    }
    if record.request_hash != input.request_hash() {
        return Err(PostError::KeyReused);
    }
    Ok(Some(Message {
        id: record.message_id,
        conversation_id: record.conversation_id,
        sender_id: (*sender).into(),
        text: input.text.as_str().to_string(),
        client_message_id: input.client_message_id.as_str().to_string(),
        sent_at: record.sent_at,
        direction: direction_of(cx),
        delivery: record.delivery,
        attachments: record.attachments,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::conversations::fake::Scene;
    use crate::conversations::{ConversationKind, Delivery};

    fn input(scene: &Scene, text: &str, key: &str) -> PostInput {
        PostInput {
            conversation: scene.id,
            text: MessageText::parse(text.into()).unwrap(),
            client_message_id: ClientMessageId::parse(key.into()).unwrap(),
            attachments: vec![],
        }
    }

    #[tokio::test]
    async fn a_post_is_one_write_that_counts_it_and_moves_the_posters_horizon() {
        let s = Scene::new();
        let sent = post(&s.store, &s.cx(&s.staff), &input(&s, "hi", "k1"))
            .await
            .unwrap();
        assert_eq!(s.store.calls(), ["post"]);
        assert_eq!(s.store.audits(), ["message.post"]);
        let c = s.store.stored(&s.id).unwrap();
        assert_eq!(c.message_count, 1);
        assert_eq!(c.last_message_id, Some(sent.id));
        assert_eq!(c.unread_for(&s.staff.account_id), 0);
        assert_eq!(c.unread_for(&s.patient.account_id), 1);
        assert_eq!(sent.delivery, None);
    }

    #[tokio::test]
    async fn a_retry_answers_the_stored_message_and_another_text_is_refused() {
        let s = Scene::new();
        let cx = s.cx(&s.patient);
        let first = post(&s.store, &cx, &input(&s, "hi", "k1")).await.unwrap();
        s.store.forget_calls();
        let again = post(&s.store, &cx, &input(&s, "hi", "k1")).await.unwrap();
        assert_eq!(again, first);
        assert_eq!(s.store.calls(), ["post", "post_record"]);
        let reused = post(&s.store, &cx, &input(&s, "other", "k1")).await;
        assert_eq!(reused, Err(PostError::KeyReused));
        assert_eq!(s.store.stored(&s.id).unwrap().message_count, 1);
    }

    #[tokio::test]
    async fn a_refused_post_reads_the_conversation_to_say_why() {
        let s = Scene::new();
        let mut c = s.store.stored(&s.id).unwrap();
        c.read_only = true;
        s.store.insert(c);
        let refused = post(&s.store, &s.cx(&s.patient), &input(&s, "hi", "k1")).await;
        assert_eq!(refused, Err(PostError::Closed(Closed::ReadOnly)));
        assert_eq!(s.store.calls(), ["post", "conversation"]);
        let mut stranger = s.patient.clone();
        stranger.account_id = crate::domain::ids::AccountId::generate();
        let hidden = post(&s.store, &s.cx(&stranger), &input(&s, "hi", "k2")).await;
        assert_eq!(hidden, Err(PostError::NotFound));
    }

    #[tokio::test]
    async fn a_standard_conversation_whose_id_says_so_is_posted_to_in_one_write() {
        let s = Scene::new();
        let mut c = s.store.stored(&s.id).unwrap();
        c.kind = ConversationKind::Standard;
        c.id = ConversationId::generate_standard();
        let id = c.id;
        s.store.insert(c);
        let mut i = input(&s, "hi", "k1");
        i.conversation = id;
        let sent = post(&s.store, &s.cx(&s.staff), &i).await.unwrap();
        assert_eq!(sent.delivery, Some(Delivery::queued(sent.sent_at)));
        assert_eq!(s.store.calls(), ["post"], "no refusal, no read");
    }

    #[tokio::test]
    async fn an_unmarked_standard_conversation_gets_messages_with_a_delivery_on_the_second_try() {
        let s = Scene::new();
        let mut c = s.store.stored(&s.id).unwrap();
        c.kind = ConversationKind::Standard;
        s.store.insert(c);
        let sent = post(&s.store, &s.cx(&s.staff), &input(&s, "hi", "k1"))
            .await
            .unwrap();
        assert_eq!(sent.delivery, Some(Delivery::queued(sent.sent_at)));
        assert_eq!(s.store.calls(), ["post", "conversation", "post"]);
    }

    #[tokio::test]
    async fn ids_stay_in_commit_order_when_another_post_committed_a_larger_one() {
        let s = Scene::new();
        let mut c = s.store.stored(&s.id).unwrap();
        let far =
            crate::domain::ids::MessageId::from_ulid(ulid::Ulid::from_parts(u64::MAX >> 17, 0));
        c.last_message_id = Some(far);
        s.store.insert(c);
        let sent = post(&s.store, &s.cx(&s.staff), &input(&s, "hi", "k1"))
            .await
            .unwrap();
        assert!(sent.id > far);
    }
}
