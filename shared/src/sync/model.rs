//! The change feed's model: entries, the per-account head, and the inbox projection the
//! stream consumer writes onto participant rows. Pure: no AWS types.

use crate::domain::ids::{AccountId, ConversationId, MessageId, SenderId};
use crate::domain::time::rfc3339;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// How long feed entries are served: a cursor older than this answers 410 (resync from
/// the inbox). Entries are removed by TTL a day later (TTL only cleans up).
pub const RETENTION_MS: i64 = 30 * 24 * 3_600_000;
/// Extra time before TTL removes an entry, so an entry still inside the window is never
/// missing from a page.
pub const TTL_GRACE_MS: i64 = 24 * 3_600_000;

/// One change in a conversation, as the feed tells it (ids and state, never message text).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum FeedChange {
    /// A new message (fetch it with `GET …/messages/{id}`).
    Message {
        message_id: MessageId,
        /// `acct_…`, or `ct_…` for an inbound SMS / email.
        sender_id: SenderId,
    },
    /// A reader's horizon moved forward to `message_id`.
    Read {
        reader_id: AccountId,
        message_id: MessageId,
    },
    /// The conversation was created or its subject, read-only flag, state or
    /// participants changed: its state now.
    Conversation {
        subject: Option<String>,
        read_only: bool,
        state: String,
        participant_ids: Vec<AccountId>,
    },
}

/// One numbered entry of an account's feed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FeedEntry {
    pub seq: u64,
    pub conversation: ConversationId,
    pub at: i64,
    pub change: FeedChange,
}

impl FeedEntry {
    /// The entry as API.md lists it: `{seq, type, conversation_id, at, ...}`.
    pub fn view(&self) -> serde_json::Value {
        let mut v = serde_json::to_value(&self.change).unwrap_or_else(|_| serde_json::json!({}));
        v["seq"] = serde_json::json!(self.seq);
        v["conversation_id"] = serde_json::json!(self.conversation);
        v["at"] = serde_json::json!(rfc3339(self.at));
        v
    }
}

/// An account's feed head: the last sequence number given out and, per conversation, the
/// stream position of the last change applied (so a redelivered record appends nothing).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FeedHead {
    pub seq: u64,
    pub applied: BTreeMap<ConversationId, String>,
    /// Whether the head item exists yet (the first append creates it).
    pub exists: bool,
}

/// A change read from the table's stream, with who should see it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourcedChange {
    pub conversation: ConversationId,
    /// The stream record's sequence number, zero-padded so that text order is stream order.
    pub source: String,
    pub at: i64,
    pub change: FeedChange,
    pub recipients: Vec<AccountId>,
}

/// Stream sequence numbers are decimal strings of up to 40 digits.
pub fn padded_source(sequence_number: &str) -> String {
    format!("{sequence_number:0>40}")
}

/// A participant's inbox row, as the conversation's newest meta image says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InboxProjection {
    pub source: String,
    pub subject: Option<String>,
    pub state: String,
    pub read_only: bool,
    pub message_count: i64,
    pub read_count: i64,
    pub last_message_at: Option<i64>,
    pub preview: Option<String>,
    pub last_activity: i64,
}
