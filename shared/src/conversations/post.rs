//! Posting a message.
//!
//! Round trips: one TransactWriteItems on the happy path, with no read before it (see the
//! slots in `adapters::dynamo::conversations::writes`). A refused transaction is explained
//! by reading only then:
//! - the sender's `client_message_id` was used: the record (1 GetItem) answers the stored
//!   message (same text) or [`PostError::KeyReused`];
//! - the conversation refused: the conversation (1 GetItem) says why: not visible (404),
//!   closed (409), of the standard kind (the post retries with a delivery), or a newer
//!   message committed first (the post retries with a larger id, so ids stay in commit
//!   order).
//!
//! Participant inbox rows are not touched: which rows exist is only known after reading the
//! conversation, and the post stays one round trip instead.

use super::message::{next_message_id, ClientMessageId, Delivery, Message, MessageText};
use super::{Closed, Context, ConversationKind, PostRecord, IDEMPOTENCY_MS};
use crate::adapters::dynamo::StoreError;
use crate::domain::ids::{ConversationId, MessageId};
use crate::ports::conversations::{ConversationStore, PostRefused, Posting};

/// Bounded: each retry means another writer committed first or the kind was guessed wrong.
const ATTEMPTS: usize = 25;

pub struct PostInput {
    pub conversation: ConversationId,
    pub text: MessageText,
    pub client_message_id: ClientMessageId,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PostError {
    #[error("no such conversation")]
    NotFound,
    #[error(transparent)]
    Closed(#[from] Closed),
    #[error("client_message_id was already used for a different message.")]
    KeyReused,
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
    let mut kind = ConversationKind::Secure;
    for _ in 0..ATTEMPTS {
        let message = draft(cx, input, id, kind);
        let record = PostRecord {
            conversation_id: conversation,
            message_id: id,
            request_hash: input.text.request_hash(&conversation),
            sent_at: message.sent_at,
            delivery: message.delivery,
            expires_at: message.sent_at + IDEMPOTENCY_MS,
        };
        let posting = Posting {
            poster: cx.caller,
            message: &message,
            record: &record,
            assumed_kind: kind,
            preview: input.text.preview(),
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
                found.open_for_posts()?;
                kind = found.kind;
                id = next_message_id(found.last_message_id.as_ref());
            }
            Err(PostRefused::MessageIdTaken) => id = next_message_id(Some(&id)),
            Err(PostRefused::Store(e)) => return Err(e.into()),
        }
    }
    Err(PostError::Busy)
}

fn draft(cx: &Context<'_>, input: &PostInput, id: MessageId, kind: ConversationKind) -> Message {
    Message {
        id,
        conversation_id: input.conversation,
        sender_id: cx.caller.account_id,
        text: input.text.as_str().to_string(),
        client_message_id: input.client_message_id.as_str().to_string(),
        sent_at: cx.now(),
        delivery: (kind == ConversationKind::Standard).then_some(Delivery::Pending),
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
    if record.request_hash != input.text.request_hash(&input.conversation) {
        return Err(PostError::KeyReused);
    }
    Ok(Some(Message {
        id: record.message_id,
        conversation_id: record.conversation_id,
        sender_id: *sender,
        text: input.text.as_str().to_string(),
        client_message_id: input.client_message_id.as_str().to_string(),
        sent_at: record.sent_at,
        delivery: record.delivery,
    }))
}
