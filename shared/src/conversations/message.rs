//! Messages, the record a post keeps for its retries, and the read-receipt log.
//!
//! Message ids are ULIDs in commit order within a conversation: a post is refused unless
//! its id is above the newest message's, so once message m is stored no message with a
//! smaller id can appear. That makes "the number of messages up to m" a fixed number, which
//! read receipts rely on. Horizons only move forward, so receipts sorted by message are
//! also sorted by time per reader: "when did r first reach m" is r's first receipt at or
//! after m.

use crate::attachments::attach::AttachmentRef;
use crate::domain::ids::{AccountId, AttachmentId, ConversationId, MessageId, SenderId};
use serde::{Deserialize, Serialize};
use std::sync::Mutex;
use ulid::Ulid;

/// Most characters a message may have (API.md).
pub const MAX_TEXT_CHARS: usize = 4_000;
/// Characters of the newest message shown in inbox rows.
pub const PREVIEW_CHARS: usize = 80;
/// Idempotency records are kept 30 days (expiry enforced in the condition).
pub const IDEMPOTENCY_MS: i64 = 30 * 24 * 3600 * 1000;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BadText {
    #[error("must not be empty")]
    Empty,
    #[error("may be at most 4000 characters")]
    TooLong,
}

/// A message text: 1–4,000 characters (not only whitespace). Its Debug never prints it.
#[derive(Clone, PartialEq, Eq)]
pub struct MessageText(String);

impl MessageText {
    pub fn parse(text: String) -> Result<Self, BadText> {
        if text.trim().is_empty() {
            return Err(BadText::Empty);
        }
        if text.chars().count() > MAX_TEXT_CHARS {
            return Err(BadText::TooLong);
        }
        Ok(Self(text))
    }
    /// A post's text: may be empty (or only whitespace, then stored empty) when the post
    /// carries attachments (API.md), else as [`MessageText::parse`].
    pub fn parse_beside_attachments(text: String, attachments: usize) -> Result<Self, BadText> {
        if attachments > 0 && text.trim().is_empty() {
            return Ok(Self(String::new()));
        }
        Self::parse(text)
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
    /// The inbox preview of a post: its text or, for attachments alone, how many (never
    /// their names).
    pub fn preview_with(&self, attachments: usize) -> String {
        match (self.0.is_empty(), attachments) {
            (false, _) | (true, 0) => self.preview(),
            (true, 1) => "Attachment".to_string(),
            (true, n) => format!("{n} attachments"),
        }
    }
    /// What the idempotency record compares: the conversation, the text and the
    /// attachments (none: the same hash as before attachments existed).
    pub fn request_hash_with(
        &self,
        conversation: &ConversationId,
        attachments: &[AttachmentId],
    ) -> String {
        if attachments.is_empty() {
            return self.request_hash(conversation);
        }
        let ids: Vec<String> = attachments.iter().map(ToString::to_string).collect();
        crate::domain::secrets::token_hash(&format!(
            "{conversation}\n{}\n{}",
            self.0,
            ids.join(",")
        ))
    }
    /// The inbox preview: the first characters, whitespace collapsed.
    pub fn preview(&self) -> String {
        let flat: String = self.0.split_whitespace().collect::<Vec<_>>().join(" ");
        if flat.chars().count() <= PREVIEW_CHARS {
            flat
        } else {
            let cut: String = flat.chars().take(PREVIEW_CHARS - 1).collect();
            format!("{cut}…")
        }
    }
    /// What the idempotency record compares: the conversation and the text.
    pub fn request_hash(&self, conversation: &ConversationId) -> String {
        crate::domain::secrets::token_hash(&format!("{conversation}\n{}", self.0))
    }
}

impl std::fmt::Debug for MessageText {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "MessageText(<{} chars>)", self.0.chars().count())
    }
}

/// Delivery of a standard (SMS/email) conversation's message; secure messages have none.
/// A post stores it `queued`; the stream consumer and the providers' events move it
/// forward only (see `crate::standard`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Delivery {
    pub status: crate::standard::model::DeliveryStatus,
    pub updated_at: i64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

impl Delivery {
    pub fn queued(at: i64) -> Self {
        Self {
            status: crate::standard::model::DeliveryStatus::Queued,
            updated_at: at,
            reason: None,
        }
    }
}

pub use crate::standard::model::Direction;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Message {
    pub id: MessageId,
    pub conversation_id: ConversationId,
    /// An account, or the contact an inbound SMS or email came from.
    pub sender_id: SenderId,
    pub text: String,
    pub client_message_id: String,
    pub sent_at: i64,
    /// `inbound`: what a patient sent; `outbound`: what staff sent.
    pub direction: Direction,
    pub delivery: Option<Delivery>,
    /// Files on the message (secure conversations only), as declared when uploaded.
    pub attachments: Vec<AttachmentRef>,
}

/// What a post remembers of itself under its sender's `client_message_id`, so a retry is
/// answered the stored message (same text) or refused (another text).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PostRecord {
    pub conversation_id: ConversationId,
    pub message_id: MessageId,
    pub request_hash: String,
    pub sent_at: i64,
    pub delivery: Option<Delivery>,
    pub expires_at: i64,
    /// The message's attachments, so a retry is answered the whole message.
    pub attachments: Vec<AttachmentRef>,
}

/// One move of a reader's horizon (the log "seen by" is answered from).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Receipt {
    pub reader: AccountId,
    /// The previous horizon (None: first read, or not known when it was written).
    pub from: Option<MessageId>,
    pub through: MessageId,
    pub at: i64,
}

/// A sender's key for one post (1–100 of `A-Z a-z 0-9 - _ . :`): a retry with the same key
/// is answered the first post's message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClientMessageId(String);

/// The `client_message_id` is not 1–100 allowed characters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("must be 1-100 characters of letters, digits, '-', '_', '.' or ':'")]
pub struct BadClientMessageId;

impl ClientMessageId {
    pub fn parse(id: String) -> Result<Self, BadClientMessageId> {
        let allowed = |b: u8| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b':');
        if (1..=100).contains(&id.len()) && id.bytes().all(allowed) {
            Ok(Self(id))
        } else {
            Err(BadClientMessageId)
        }
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Ids from one process are strictly increasing (ULIDs made in the same millisecond are
/// otherwise random relative to each other).
static IDS: Mutex<Option<ulid::Generator>> = Mutex::new(None);

/// A fresh message id, larger than `after` when given. Posts keep ids in commit order
/// within a conversation (the store refuses an id not above the newest), so a post that
/// lost the race retries with an id above the winner's.
pub fn next_message_id(after: Option<&MessageId>) -> MessageId {
    let generated = IDS
        .lock()
        .ok()
        .and_then(|mut g| g.get_or_insert_with(ulid::Generator::new).generate().ok());
    // Not `unwrap_or_default`: a default Ulid is the nil id.
    let fresh = match generated {
        Some(id) => id,
        None => Ulid::new(),
    };
    match after.and_then(|a| a.ulid().increment()) {
        Some(min) if min > fresh => MessageId::from_ulid(min),
        _ => MessageId::from_ulid(fresh),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_one_to_four_thousand_characters() {
        assert_eq!(MessageText::parse("  ".into()), Err(BadText::Empty));
        assert!(MessageText::parse("é".repeat(4_000)).is_ok());
        assert_eq!(MessageText::parse("é".repeat(4_001)), Err(BadText::TooLong));
    }

    #[test]
    fn preview_is_short_and_debug_hides_the_text() {
        let t = MessageText::parse(format!("hello\n{}", "x".repeat(200))).unwrap();
        assert_eq!(t.preview().chars().count(), PREVIEW_CHARS);
        assert!(t.preview().starts_with("hello x"));
        assert!(!format!("{t:?}").contains("hello"));
    }

    #[test]
    fn client_message_ids_are_short_and_plain() {
        assert!(ClientMessageId::parse("c-1:a.b_2".into()).is_ok());
        assert_eq!(
            ClientMessageId::parse(String::new()),
            Err(BadClientMessageId)
        );
        assert_eq!(
            ClientMessageId::parse("a b".into()),
            Err(BadClientMessageId)
        );
        assert_eq!(
            ClientMessageId::parse("x".repeat(101)),
            Err(BadClientMessageId)
        );
    }

    #[test]
    fn next_ids_grow_and_pass_a_given_one() {
        let a = next_message_id(None);
        assert!(next_message_id(None) > a);
        let far = MessageId::from_ulid(Ulid::from_parts(u64::MAX >> 16, 0));
        assert!(next_message_id(Some(&far)) > far);
    }

    #[test]
    fn request_hash_binds_text_and_conversation() {
        let c1 = ConversationId::generate();
        let c2 = ConversationId::generate();
        let a = MessageText::parse("a".into()).unwrap();
        let b = MessageText::parse("b".into()).unwrap();
        assert_eq!(a.request_hash(&c1), a.request_hash(&c1));
        assert_ne!(a.request_hash(&c1), b.request_hash(&c1));
        assert_ne!(a.request_hash(&c1), a.request_hash(&c2));
    }
}
