//! What standard (SMS / email) messaging needs from the outside: its storage
//! ([`StandardStore`], implemented by `adapters::dynamo::standard`) and the two senders
//! ([`SmsSender`]: AWS End User Messaging SMS, or SNS against moto locally;
//! [`EmailSender`]: SES with a configuration set and message tags).
//!
//! The senders differ from [`crate::ports::Sms`] / [`crate::ports::Email`] (one-time codes,
//! invites): they send *from* the practice's own number or address, hand the provider the
//! ids that come back in its delivery events, and return the provider's message id.

use crate::adapters::dynamo::StoreError;
use crate::domain::ids::{ContactId, ConversationId, MessageId, OrgId};
use crate::standard::model::{Address, DeliveryStatus, DueSend, MessageRef, Outbound};
use async_trait::async_trait;

/// One SMS from a practice's number.
#[derive(Debug, Clone)]
pub struct OutboundSms<'a> {
    pub from: &'a Address,
    pub to: &'a Address,
    pub text: &'a str,
    /// Echoed back in delivery events (`context`), so a status event names its message.
    pub context: &'a [(&'static str, String)],
}

/// One plain-text email from a practice's reply address.
#[derive(Debug, Clone)]
pub struct OutboundEmail<'a> {
    pub from_name: &'a str,
    pub from: &'a Address,
    /// Where replies go: the practice's address with this conversation's reply token.
    pub reply_to: &'a str,
    pub to: &'a Address,
    pub subject: &'a str,
    pub text: &'a str,
    /// SES message tags, echoed back in Delivery / Bounce / Complaint events.
    pub tags: &'a [(&'static str, String)],
}

/// Why a send did not happen, in the terms the sender decides on.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SendFailure {
    /// Throttled, timed out or unreachable: retry later; the message stays `queued`.
    #[error("the provider is unavailable")]
    Unavailable,
    /// The recipient opted out (or the address is suppressed): final, `failed`.
    #[error("the recipient has opted out")]
    OptedOut,
    /// The provider refused this message for good (invalid number, …): final, `failed`.
    #[error("the provider refused the message: {0}")]
    Refused(String),
}

#[async_trait]
pub trait SmsSender: Send + Sync {
    /// Sends and returns the provider's message id.
    async fn send_sms(&self, sms: &OutboundSms<'_>) -> Result<String, SendFailure>;
}

#[async_trait]
pub trait EmailSender: Send + Sync {
    /// Sends and returns the provider's message id.
    async fn send_email(&self, email: &OutboundEmail<'_>) -> Result<String, SendFailure>;
}

/// A practice's own number or address, found from the address a message was sent to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PracticeChannel {
    pub org_id: OrgId,
    pub practice_name: String,
    pub address: Address,
}

/// A practice's standing with one contact address: the latest standard conversation with
/// it and whether the address opted out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Thread {
    pub org_id: OrgId,
    pub address: Address,
    pub contact_id: ContactId,
    pub latest_conversation_id: Option<ConversationId>,
    pub opted_out: bool,
}

/// A forward-only delivery change, keyed from the provider event itself.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeliveryChange {
    pub message: MessageRef,
    pub status: DeliveryStatus,
    pub reason: Option<String>,
    pub at_ms: i64,
}

/// An inbound message to append to a conversation.
#[derive(Debug, Clone)]
pub struct NewInbound<'a> {
    pub org_id: OrgId,
    pub conversation_id: ConversationId,
    pub message_id: MessageId,
    pub contact_id: ContactId,
    pub text: &'a str,
    pub preview: String,
    /// The provider's id of the inbound message: a duplicate event is refused by it.
    pub provider_id: &'a str,
    pub at_ms: i64,
}

/// A new conversation (and, for an unknown sender, a new contact) opened by an inbound
/// message, written together with that message.
#[derive(Debug, Clone)]
pub struct OpenThread<'a> {
    pub practice: &'a PracticeChannel,
    pub from: &'a Address,
    /// `Some` when the address belongs to a contact on file; `None` creates one named by
    /// the address.
    pub existing_contact: Option<ContactId>,
    pub first: NewInbound<'a>,
    /// The thread's latest conversation when it is read-only: the new conversation takes
    /// its place as the thread's latest (`None`: the thread must have no conversation yet).
    pub replacing: Option<ConversationId>,
}

/// How appending an inbound message ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Appended {
    Stored,
    /// This provider id was stored before: nothing changed.
    Duplicate,
    /// A message with a newer id was committed first; retry with an id after this one.
    Stale(MessageId),
    /// Another inbound message opened the thread first: thread into it instead.
    ThreadExists,
    /// The conversation is read-only: it takes no message (open a new one instead).
    ReadOnly,
}

#[async_trait]
pub trait StandardStore: Send + Sync {
    /// The queued messages named by `refs` with their conversations' channel state, read
    /// consistently in one BatchGetItem. Unknown refs are simply absent.
    async fn load_outbound(&self, refs: &[MessageRef]) -> Result<Vec<Outbound>, StoreError>;

    /// `queued → sent` with the provider's id. `Ok(false)`: it had already moved on.
    async fn record_sent(
        &self,
        message: &MessageRef,
        provider_id: &str,
        at_ms: i64,
    ) -> Result<bool, StoreError>;

    /// Up to `limit` queued messages whose re-drive time is at or before `now_ms`, oldest
    /// first (one Query of the sparse re-drive index).
    async fn due_sends(&self, now_ms: i64, limit: i32) -> Result<Vec<DueSend>, StoreError>;

    /// Takes `due` for one attempt: moves its re-drive time to `until_ms` if it is still
    /// queued at exactly `due.due_ms` (one conditional UpdateItem). `Ok(false)`: another
    /// sweep took it, or it was sent or failed meanwhile.
    async fn lease_send(&self, due: &DueSend, until_ms: i64) -> Result<bool, StoreError>;

    /// One conditional UpdateItem that applies `change` only from a predecessor state.
    /// `Ok(false)`: refused (a duplicate, a late event, or no such message).
    async fn advance_delivery(&self, change: &DeliveryChange) -> Result<bool, StoreError>;

    /// The practice whose own number / reply address this is.
    async fn practice_by_address(
        &self,
        address: &Address,
    ) -> Result<Option<PracticeChannel>, StoreError>;

    /// The practice's thread with a contact address, if any.
    async fn thread(&self, org: &OrgId, address: &Address) -> Result<Option<Thread>, StoreError>;

    /// A contact of the practice with exactly this number or email, if any.
    async fn contact_with(
        &self,
        org: &OrgId,
        address: &Address,
    ) -> Result<Option<ContactId>, StoreError>;

    /// The conversation a reply token names, if it is a standard conversation of `org`
    /// with `address`.
    async fn conversation_with(
        &self,
        org: &OrgId,
        conversation: &ConversationId,
        address: &Address,
    ) -> Result<bool, StoreError>;

    /// Sets (or clears) the address's opt-out on the thread item and every standard
    /// conversation of the practice with it, in one transaction.
    async fn set_opt_out(
        &self,
        org: &OrgId,
        address: &Address,
        opted_out: bool,
        at_ms: i64,
    ) -> Result<(), StoreError>;

    /// Records that an inbound event was handled (keywords, which store no message):
    /// `Ok(false)` when it was handled before.
    async fn claim_event(&self, provider_id: &str, at_ms: i64) -> Result<bool, StoreError>;

    /// Forgets a claim whose work failed, so the retried event does it.
    async fn release_event(&self, provider_id: &str) -> Result<(), StoreError>;

    /// Appends an inbound message to an existing conversation (message, counters, inbox
    /// order, duplicate guard and audit in one transaction).
    async fn append_inbound(&self, inbound: &NewInbound<'_>) -> Result<Appended, StoreError>;

    /// Opens a conversation (and contact, thread item) with its first inbound message.
    async fn open_thread(&self, open: &OpenThread<'_>) -> Result<Appended, StoreError>;
}

/// Where inbound mail waits (S3 in AWS and locally, through moto).
#[async_trait]
pub trait MailSource: Send + Sync {
    /// The raw MIME message, `None` when there is no such object.
    async fn fetch(&self, bucket: &str, key: &str) -> Result<Option<Vec<u8>>, SendFailure>;
}
