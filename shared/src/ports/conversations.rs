//! What the conversations use cases need from storage: [`ConversationStore`], implemented
//! once for DynamoDB (`adapters::dynamo::conversations`) and by an in-memory fake in the
//! use cases' unit tests.
//!
//! Each method is one storage operation the use cases compose (concurrently where the
//! route's latency is one round trip). Every write carries its own authorization (the
//! writer must see the conversation, as [`Conversation::visible_to`] decides), so a stale
//! read can never authorize it; a refused write says which part failed, in domain terms.

use crate::access::proof::SessionProof;
use crate::adapters::dynamo::StoreError;
use crate::conversations::{
    Channel, ClientMessageId, Conversation, ConversationKind, Message, PostRecord, ReadState,
    Receipt,
};
use crate::domain::caller::Caller;
use crate::domain::ids::{
    AccountId, AttachmentId, ContactId, ConversationId, LinkId, MessageId, OrgId, SenderId,
};
use crate::services::audit::AuditEvent;
use async_trait::async_trait;
use std::collections::BTreeMap;

/// One page of a listing and the opaque cursor of the next one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Listing<T> {
    pub items: Vec<T>,
    pub next_cursor: Option<String>,
}

/// Why a listing was not read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ListError {
    /// The cursor does not belong to this listing (forged, or another list's).
    #[error("the cursor is not valid for this list")]
    BadCursor,
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Where a messages page starts (newest first).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MessagesFrom {
    Newest,
    /// Messages older than this one.
    Before(MessageId),
    /// A previous page's `next_cursor`.
    Cursor(String),
}

/// A checked position in a listing, in the store's own terms: use cases only pass it on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResumeAt(pub BTreeMap<String, String>);

/// Which staff inbox to read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum InboxScope {
    /// The practice's inbox, limited to what the viewer sees (their links, their groups).
    Practice(OrgId),
    /// One link's inbox (the use case has checked the viewer sees the link).
    Link(LinkId),
}

#[derive(Debug, Clone)]
pub struct StaffInboxQuery<'a> {
    pub viewer: &'a Caller,
    pub scope: InboxScope,
    /// Only conversations carrying this tag.
    pub tag: Option<&'a str>,
    pub limit: i32,
    pub cursor: Option<&'a str>,
}

/// A message to store, with its retry record.
#[derive(Debug, Clone)]
pub struct Posting<'a> {
    pub poster: &'a Caller,
    pub message: &'a Message,
    pub record: &'a PostRecord,
    /// The conversation kind the message was built for (standard messages carry a
    /// delivery): the write is refused if the conversation is of another kind.
    pub assumed_kind: ConversationKind,
    pub preview: String,
    /// Attachments to put on the message: each must be in this conversation, ready, the
    /// poster's and on no message yet (conditioned in the same transaction).
    pub attachments: &'a [AttachmentId],
    /// The poster's session (and for staff, rights) must satisfy this (`access::proof`),
    /// checked first; `None` when the poster was resolved already.
    pub proof: Option<&'a SessionProof>,
}

/// Why a post did not commit.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PostRefused {
    /// A live record for this sender's `client_message_id` exists (a retry, or a reuse).
    #[error("the client_message_id was already used")]
    KeyUsed,
    /// The conversation refused: missing, not visible to the poster, closed, of another
    /// kind than assumed, or a message with a larger id committed first.
    #[error("the conversation refused the post")]
    Conversation,
    /// A message with this id exists.
    #[error("the message id is taken")]
    MessageIdTaken,
    /// This attachment is no longer attachable (another post took it, or it was rejected).
    #[error("attachment {0} cannot be attached")]
    AttachmentTaken(AttachmentId),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// How a horizon move sets the reader's read count.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NewReadCount {
    /// The message is the newest: copy the message count (refused if it is not the newest
    /// any more, or the horizon is already there).
    CopyMessageCount,
    /// A computed count, refused unless the horizon is still at `previous`.
    Exactly {
        count: i64,
        previous: Option<MessageId>,
    },
}

/// Moves `reader`'s horizon to `through` and logs a receipt.
#[derive(Debug, Clone)]
pub struct HorizonMove<'a> {
    pub reader: &'a Caller,
    /// The reader's session must satisfy this (`access::proof`), checked first.
    pub proof: Option<&'a SessionProof>,
    pub conversation: ConversationId,
    pub through: MessageId,
    pub count: NewReadCount,
    /// The receipt's `from` (the previous horizon, when known).
    pub receipt_from: Option<MessageId>,
    pub at: i64,
}

/// A group reader's receipt: moves only the reader's own horizon item (with its count)
/// and logs the receipt; the conversation's item is not written (the stream folds it in).
#[derive(Debug, Clone)]
pub struct OwnHorizonMove<'a> {
    pub reader: &'a Caller,
    /// The reader's session (and membership) must satisfy this (`access::proof`); the
    /// practice's access version was checked by [`ConversationStore::receipt_state`].
    pub proof: Option<&'a SessionProof>,
    pub conversation: ConversationId,
    /// The new horizon: refused when the reader's own item is already there or further.
    pub to: ReadState,
    /// The receipt's `from` (the previous horizon, when known).
    pub receipt_from: Option<MessageId>,
}

/// What a read receipt reads, in one round trip: the conversation as stored, the
/// reader's own horizon item (a group's; see [`Conversation::merge_horizons`]), and
/// whether the message is one of the conversation's.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReceiptState {
    pub conversation: Option<Conversation>,
    pub own_horizon: Option<ReadState>,
    pub message_exists: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum HorizonRefused {
    #[error("no such message in this conversation")]
    NoSuchMessage,
    /// Missing, not visible to the reader, or the count's condition no longer holds.
    #[error("the conversation refused the horizon")]
    Conversation,
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// A PATCH of a conversation's settings (absent: unchanged).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SettingsChange {
    pub read_only: Option<bool>,
    /// `Some(None)` clears the subject.
    pub subject: Option<Option<String>>,
    pub tags: Option<Vec<String>>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ChangeRefused {
    /// Missing, or the editor lost access between the read and the write.
    #[error("the conversation refused the change")]
    Conversation,
    #[error(transparent)]
    Store(#[from] StoreError),
}

#[async_trait]
pub trait ConversationStore: Send + Sync {
    /// The conversation (a strongly consistent read).
    async fn conversation(&self, id: &ConversationId) -> Result<Option<Conversation>, StoreError>;

    /// Stores a new conversation (its participants' inbox rows too) with its audit item.
    async fn create(
        &self,
        conversation: &Conversation,
        audit: &AuditEvent<'_>,
        now: i64,
    ) -> Result<(), StoreError>;

    /// Applies `change` to the conversation (and the roster's inbox rows), if `editor`
    /// still sees it.
    async fn change_settings(
        &self,
        editor: &Caller,
        conversation: &Conversation,
        change: &SettingsChange,
        audit: &AuditEvent<'_>,
        now: i64,
    ) -> Result<(), ChangeRefused>;

    /// Stores a message, moves the conversation's counters and the poster's horizon, and
    /// writes the retry record, the poster's receipt and the audit item: all or nothing.
    async fn post(&self, posting: &Posting<'_>, audit: &AuditEvent<'_>) -> Result<(), PostRefused>;

    /// The live-or-expired record of a previous post under this key.
    async fn post_record(
        &self,
        sender: &AccountId,
        key: &ClientMessageId,
    ) -> Result<Option<PostRecord>, StoreError>;

    /// Moves a reader's horizon (see [`HorizonMove`]) with its receipt and audit item.
    async fn move_horizon(
        &self,
        change: &HorizonMove<'_>,
        audit: &AuditEvent<'_>,
    ) -> Result<(), HorizonRefused>;

    /// The conversation, `reader`'s own horizon item and whether `message` is in the
    /// conversation: one BatchGetItem, strongly consistent. With a staff `proof` the practice's
    /// access version is read too, and a moved one is [`StoreError::SessionRefused`].
    async fn receipt_state(
        &self,
        conversation: &ConversationId,
        reader: &AccountId,
        message: &MessageId,
        proof: Option<&SessionProof>,
    ) -> Result<ReceiptState, StoreError>;

    /// Moves a group reader's own horizon (see [`OwnHorizonMove`]) with its receipt and
    /// audit item; [`HorizonRefused::Conversation`] when it is already there or further.
    async fn move_own_horizon(
        &self,
        change: &OwnHorizonMove<'_>,
        audit: &AuditEvent<'_>,
    ) -> Result<(), HorizonRefused>;

    /// Every reader's own horizon item in the conversation (one per reader of a group).
    async fn own_horizons(
        &self,
        conversation: &ConversationId,
    ) -> Result<Vec<(AccountId, ReadState)>, StoreError>;

    /// How many messages have ids in (`after`, `through`] (`after` None: from the first).
    async fn count_messages(
        &self,
        conversation: &ConversationId,
        after: Option<&MessageId>,
        through: &MessageId,
    ) -> Result<i64, StoreError>;

    /// One page of a staff inbox, newest activity first. A page may hold fewer than
    /// `limit` conversations and still have a next cursor; its cursor never names a
    /// conversation the viewer may not see.
    async fn staff_inbox(
        &self,
        query: &StaffInboxQuery<'_>,
    ) -> Result<Listing<Conversation>, ListError>;

    /// One page of the conversations `viewer` takes part in (and sees), newest activity
    /// first.
    async fn participant_inbox(
        &self,
        viewer: &Caller,
        limit: i32,
        cursor: Option<&str>,
    ) -> Result<Listing<Conversation>, ListError>;

    /// Checks where a messages page starts (no I/O).
    fn messages_start(
        &self,
        conversation: &ConversationId,
        from: &MessagesFrom,
    ) -> Result<Option<ResumeAt>, ListError>;

    /// One page of messages, newest first.
    async fn messages_page(
        &self,
        conversation: &ConversationId,
        start: Option<ResumeAt>,
        limit: i32,
    ) -> Result<Listing<Message>, StoreError>;

    /// One message (a strongly consistent read).
    async fn message(
        &self,
        conversation: &ConversationId,
        id: &MessageId,
    ) -> Result<Option<Message>, StoreError>;

    /// For each of `readers`, their first receipt whose horizon reached `message` or a
    /// later one (when they have one): at most one receipt per reader, whatever the number
    /// of receipts after it.
    async fn first_receipts_from(
        &self,
        conversation: &ConversationId,
        message: &MessageId,
        readers: &[AccountId],
    ) -> Result<Vec<Receipt>, StoreError>;

    /// Display names of these senders: accounts' profile names, and `org`'s contacts'
    /// names (missing ones are left out).
    async fn sender_names(
        &self,
        org: &OrgId,
        senders: &[SenderId],
    ) -> Result<BTreeMap<SenderId, String>, StoreError>;

    /// The audit item of a read (reads have no transaction to carry it). With `proof`
    /// (`access::proof`) the item is written only if the caller's session satisfies it,
    /// in one transaction ([`StoreError::SessionRefused`] otherwise): then this write is
    /// the read's authorization, and a forged token leaves no audit item in anyone's name.
    async fn audit_read(
        &self,
        event: &AuditEvent<'_>,
        proof: Option<&SessionProof>,
        now: i64,
    ) -> Result<(), StoreError>;
}

/// A practice contact as conversation creation needs it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DirectoryContact {
    pub name: String,
    /// The patient's account, once they have one.
    pub account_id: Option<AccountId>,
    pub has_phone: bool,
    pub has_email: bool,
    /// The stored number (E.164) and address (standard conversations go to them).
    pub phone: Option<String>,
    pub email: Option<String>,
}

/// Where a standard conversation with one address of a practice stands: the practice's
/// own address for that channel, and whether that contact address opted out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StandardStart {
    /// The practice's number or reply address (None: it has none; see
    /// `practice::channels`).
    pub from: Option<String>,
    pub opted_out: bool,
    pub opted_out_at: Option<i64>,
}

/// A practice link as conversation routing needs it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RoutingLink {
    pub id: LinkId,
    /// Copied onto conversations routed to it.
    pub tags: Vec<String>,
    /// Teammates listed on it (empty: open to the whole team).
    pub member_ids: Vec<AccountId>,
}

/// What creating a conversation reads of the practice's other aggregates (contacts,
/// staff, links): one GetItem per contact or teammate, one Query for the links.
#[async_trait]
pub trait PracticeDirectory: Send + Sync {
    async fn contact(
        &self,
        org: &OrgId,
        id: &ContactId,
    ) -> Result<Option<DirectoryContact>, StoreError>;

    /// A teammate's display name, if they are staff of `org`.
    async fn teammate_name(
        &self,
        org: &OrgId,
        account: &AccountId,
    ) -> Result<Option<String>, StoreError>;

    async fn links(&self, org: &OrgId) -> Result<Vec<RoutingLink>, StoreError>;

    /// What a new standard conversation with `to` on `channel` starts from: the practice's
    /// own address (a practice made while the number pool was empty takes a number now,
    /// if the pool has one again) and the address's opt-out. Two GetItems, concurrent
    /// (+ the number's take when it had none).
    async fn standard_start(
        &self,
        org: &OrgId,
        channel: Channel,
        to: &str,
    ) -> Result<StandardStart, StoreError>;
}
