//! Messages, their idempotency records and the read-receipt log (items under `CONV#c`).
//!
//! - `M#msg` ([`MessageItem`]): ids are ULIDs, so the sort key is time-ordered and a
//!   messages page is one descending Query. A post's meta update carries the condition
//!   `last_message_id < :m`, so ids are also in commit order within a conversation: once
//!   message m is stored, no message with a smaller id can appear. That makes "the number
//!   of messages up to m" a fixed number, which receipts rely on.
//! - `IDEM#sender#client_message_id` ([`IdempotencyItem`]): written in the post's
//!   transaction; a retry finds it and answers the stored message.
//! - `R#through#reader` ([`ReceiptItem`]): one per horizon move, so "when did reader r
//!   first reach message x" is the first receipt of r at or after `R#x` (horizons only move
//!   forward, so receipts sorted by message are also sorted by time).

use crate::domain::ids::{AccountId, ConversationId, MessageId};
use crate::domain::time::rfc3339;
use serde::{Deserialize, Serialize};

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
    pub fn as_str(&self) -> &str {
        &self.0
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
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Delivery {
    /// Stored; sending by SMS/email comes with the standard-messaging work.
    Pending,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct MessageItem {
    pub pk: String,
    pub sk: String,
    pub id: MessageId,
    pub conversation_id: ConversationId,
    pub sender_id: AccountId,
    pub text: String,
    pub client_message_id: String,
    pub sent_at: i64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub delivery: Option<Delivery>,
}

impl MessageItem {
    /// The message as API.md shows it.
    pub fn view(&self) -> serde_json::Value {
        let mut v = serde_json::json!({
            "id": self.id,
            "conversation_id": self.conversation_id,
            "sender_id": self.sender_id,
            "text": self.text,
            "sent_at": rfc3339(self.sent_at),
        });
        if let Some(d) = self.delivery {
            v["delivery"] = serde_json::json!(d);
        }
        v
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct IdempotencyItem {
    pub pk: String,
    pub sk: String,
    pub conversation_id: ConversationId,
    pub message_id: MessageId,
    pub request_hash: String,
    pub sent_at: i64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub delivery: Option<Delivery>,
    pub expires_at: i64,
    pub ttl: i64,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ReceiptItem {
    pub pk: String,
    pub sk: String,
    pub reader: AccountId,
    /// The previous horizon (None: first read).
    #[serde(default)]
    pub from: Option<MessageId>,
    pub through: MessageId,
    pub at: i64,
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
