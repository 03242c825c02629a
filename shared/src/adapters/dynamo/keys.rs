//! Every key of the single table, in one place. The access-pattern table in the crate docs
//! (`shared/src/lib.rs`) names which of these serves which API call.
//!
//! Byte order matters for `begins_with` and range queries: `#` < digits < upper case <
//! lower case, so `#META` sorts before `LINK#…` before `MEMBER#…`, and within a
//! conversation `#META` < `M#…` < `P#…` < `R#…`.

use crate::domain::contact_info::{EmailAddress, PhoneNumber};
use crate::domain::ids::*;

pub const GSI1: &str = "GSI1";
pub const GSI2: &str = "GSI2";
pub const GSI3: &str = "GSI3";

// ---- practices, staff, accounts, sessions -------------------------------------------

pub fn org_pk(org: &OrgId) -> String {
    format!("ORG#{org}")
}
pub const ORG_META_SK: &str = "#META";
/// The attribute of a practice's `#META` item that mirrors one link's `member_ids` (empty:
/// the whole team), so a caller's visible links come with the practice item instead of a
/// Query of its links (`adapters::dynamo::access::caller`).
pub fn link_access_attr(link: &LinkId) -> String {
    format!("{LINK_ACCESS_ATTR_PREFIX}{link}")
}
pub const LINK_ACCESS_ATTR_PREFIX: &str = "link_access_";
/// The number on a practice's `#META` item that every change of what its staff may see or
/// do adds one to (a link's `member_ids`, a teammate removed), in that change's own
/// transaction; absent is 0. A staff caller remembered at one version is proven current
/// by a ConditionCheck of it (`access::proof`).
pub const ACCESS_VERSION_ATTR: &str = "access_version";

pub fn member_sk(account: &AccountId) -> String {
    format!("MEMBER#{account}")
}
pub const MEMBER_PREFIX: &str = "MEMBER#";

pub fn account_pk(account: &AccountId) -> String {
    format!("ACCT#{account}")
}
pub const PROFILE_SK: &str = "#PROFILE";

/// Staff sign in by email; the alias item keeps one staff account per address.
pub fn staff_email_login_pk(email: &EmailAddress) -> String {
    format!("LOGIN#email#{}", email.as_str().to_lowercase())
}
/// Patients are one account per phone number; the alias item enforces it.
pub fn patient_phone_login_pk(phone: &PhoneNumber) -> String {
    format!("LOGIN#phone#{}", phone.as_str())
}
pub const LOGIN_SK: &str = "#LOGIN";

/// A practice's pending invitation of a teammate's email (sort key `ORG#o`).
pub fn staff_invite_pk(email: &EmailAddress) -> String {
    format!("STAFFINV#{}", email.as_str().to_lowercase())
}

pub fn session_pk(token_hash: &str) -> String {
    format!("SESSION#{token_hash}")
}
pub const SESSION_SK: &str = "#SESSION";
/// GSI1 sort-key prefix of an account's sessions (GSI1 pk = [`account_pk`]).
pub const SESSION_GSI_PREFIX: &str = "SESSION#";
/// GSI1 sort key of one session under its account.
pub fn session_gsi_sk(token_hash: &str) -> String {
    format!("{SESSION_GSI_PREFIX}{token_hash}")
}

/// An `Idempotency-Key` record of a caller (`access::idempotency`): the first answer to a
/// mutation without a natural key, replayed to a retry with the same key.
pub fn idempotency_key_pk(caller: &AccountId, key: &str) -> String {
    format!("IDEMKEY#{caller}#{key}")
}
pub const IDEMPOTENCY_KEY_SK: &str = "#IDEMKEY";

// ---- one-time codes -------------------------------------------------------------------

pub fn challenge_pk(challenge: &ChallengeId) -> String {
    format!("CHAL#{challenge}")
}
pub const CHALLENGE_SK: &str = "#CHAL";

/// Per-destination send budget and the destination's current challenge.
pub fn sends_pk(destination: &str) -> String {
    format!("SENDS#{destination}")
}
pub const SENDS_SK: &str = "#SENDS";

// ---- practice links ---------------------------------------------------------------------

/// A practice link is one item, keyed by its public code (so a click resolves and counts it
/// in one UpdateItem) and listed per practice through GSI1 `ORG#o#LINKS` / `LINK#l`.
pub fn org_links_pk(org: &OrgId) -> String {
    format!("ORG#{org}#LINKS")
}
pub fn link_sk(link: &LinkId) -> String {
    format!("LINK#{link}")
}
pub const LINK_PREFIX: &str = "LINK#";

/// The link item's primary key.
pub fn code_pk(code: &str) -> String {
    format!("CODE#{code}")
}
pub const CODE_SK: &str = "#CODE";

/// Counter shard `shard` of a link's clicks (see `link_clicks`).
pub fn click_shard_pk(code: &str, shard: usize) -> String {
    format!("CLICKS#{code}#{shard:02}")
}
pub const CLICK_SHARD_SK: &str = "#CLICKS";

/// A sliding-window rate-limit budget (`access::rate_limit`): `kind` names what is
/// limited (`dl-phone`: download SMS per number, `dl-ip`: per client address).
pub fn rate_pk(kind: &str, subject: &str) -> String {
    format!("RATE#{kind}#{subject}")
}
pub const RATE_SK: &str = "#RATE";

// ---- contacts and invites ---------------------------------------------------------------

pub fn contact_sk(contact: &ContactId) -> String {
    format!("CONTACT#{contact}")
}
pub const CONTACT_PREFIX: &str = "CONTACT#";

/// The conversations of a contact, one item each, in the contact's own partition
/// (`ORG#o#CONTACT#ct` / `CONV#conv`): the contact item never grows with them, and the
/// ULID sort keys list them oldest to newest.
pub fn contact_conversations_pk(org: &OrgId, contact: &ContactId) -> String {
    format!("ORG#{org}#CONTACT#{contact}")
}
pub fn contact_conversation_sk(conversation: &ConversationId) -> String {
    format!("CONV#{conversation}")
}
pub const CONTACT_CONVERSATION_PREFIX: &str = "CONV#";
/// GSI1/GSI2/GSI3 partition of a practice's contact search (name, phone, email).
pub fn contact_search_pk(org: &OrgId) -> String {
    format!("ORG#{org}#CT")
}

pub fn invite_token_pk(token_hash: &str) -> String {
    format!("INVITE#{token_hash}")
}
pub const INVITE_TOKEN_SK: &str = "#INVITE";
pub fn invite_sk(invite: &InviteId) -> String {
    format!("INVITE#{invite}")
}

/// Contact search sort keys (GSI1 name, GSI2 phone, GSI3 email, all under
/// [`contact_search_pk`]); the id at the end keeps equal names/numbers apart.
pub fn contact_name_sk(name_lower: &str, contact: &ContactId) -> String {
    format!("n#{name_lower}#{contact}")
}
pub const CONTACT_NAME_PREFIX: &str = "n#";
pub fn contact_phone_sk(phone_key: &str, contact: &ContactId) -> String {
    format!("p#{phone_key}#{contact}")
}
pub const CONTACT_PHONE_PREFIX: &str = "p#";
pub fn contact_email_sk(email_lower: &str, contact: &ContactId) -> String {
    format!("e#{email_lower}#{contact}")
}
pub const CONTACT_EMAIL_PREFIX: &str = "e#";

// ---- patients paired with practices ---------------------------------------------------

/// A practice's patient: `ORG#o` / `PATIENT#a`, listed per account on GSI1 `ACCT#a` /
/// `PAIRED#ORG#o` (a prefix distinct from members' `ORG#o` and sessions' `SESSION#`).
pub fn patient_sk(account: &AccountId) -> String {
    format!("PATIENT#{account}")
}
pub fn paired_gsi_sk(org: &OrgId) -> String {
    format!("PAIRED#ORG#{org}")
}
pub const PAIRED_GSI_PREFIX: &str = "PAIRED#";
/// One link signup per (practice, patient, link): a repeated signup finds the first
/// conversation here instead of creating a second.
pub fn link_pairing_pk(org: &OrgId, account: &AccountId, link: &LinkId) -> String {
    format!("PAIRING#{org}#{account}#{link}")
}
pub const PAIRING_SK: &str = "#PAIRING";

// ---- conversations ----------------------------------------------------------------------

pub fn conversation_pk(conversation: &ConversationId) -> String {
    format!("CONV#{conversation}")
}
pub const CONVERSATION_META_SK: &str = "#META";

pub fn participant_sk(account: &AccountId) -> String {
    format!("P#{account}")
}
pub const PARTICIPANT_PREFIX: &str = "P#";

pub fn message_sk(message: &MessageId) -> String {
    format!("M#{message}")
}
pub const MESSAGE_PREFIX: &str = "M#";
/// Sorts after every message key (`~` is above every ULID character): a messages Query is
/// `sk BETWEEN M# AND M#~`.
pub const MESSAGES_END: &str = "M#~";

/// A group reader's own horizon (`conversations::mark_read`): in a group each reader's
/// receipts move this item, never the conversation's, and the stream folds it into the
/// conversation's `reads` / `read_counts`.
pub fn horizon_sk(reader: &AccountId) -> String {
    format!("{HORIZON_PREFIX}{reader}")
}
pub const HORIZON_PREFIX: &str = "H#";

/// One receipt-log item per horizon move, sorted by the message the horizon reached.
pub fn receipt_sk(through: &MessageId, reader: &AccountId) -> String {
    format!("R#{through}#{reader}")
}
pub const RECEIPT_PREFIX: &str = "R#";
/// The first receipt key of horizons at or past `message` (`R#m`; receipts of m itself
/// follow it as `R#m#reader`).
pub fn receipts_from_sk(message: &MessageId) -> String {
    format!("{RECEIPT_PREFIX}{message}")
}
/// Sorts after every receipt key.
pub const RECEIPTS_END: &str = "R#~";
/// One reader's receipts in a conversation, on GSI3 (`CONV#c#READER#a` / `M#through`): the
/// first horizon move of a reader at or past a message is one Query with `Limit 1`,
/// however many receipts later messages have.
pub fn reader_receipts_pk(conversation: &ConversationId, reader: &AccountId) -> String {
    format!("CONV#{conversation}#READER#{reader}")
}

/// GSI1 partition: a practice's inbox (conversation metas by last activity).
pub fn org_inbox_pk(org: &OrgId) -> String {
    format!("ORG#{org}#INBOX")
}
/// GSI2 partition: one link's inbox.
pub fn link_inbox_pk(link: &LinkId) -> String {
    format!("LINK#{link}#INBOX")
}
/// GSI1 partition: a patient's (or participating teammate's) inbox of participant rows.
pub fn account_inbox_pk(account: &AccountId) -> String {
    format!("ACCT#{account}#INBOX")
}
/// Inbox sort key: zero-padded activity time, then the id to break ties.
pub fn activity_sk(activity_ms: i64, conversation: &ConversationId) -> String {
    format!("{activity_ms:013}#{conversation}")
}

pub fn idempotency_pk(sender: &AccountId, client_message_id: &str) -> String {
    format!("IDEM#{sender}#{client_message_id}")
}
pub const IDEMPOTENCY_SK: &str = "#IDEM";

// ---- audit -----------------------------------------------------------------------------

/// Audit items are partitioned by practice and month (patients' own actions go under the
/// practice they act in, or `ORG#-` when there is none).
pub fn audit_pk(org: Option<&OrgId>, month: &str) -> String {
    match org {
        Some(o) => format!("AUDIT#{o}#{month}"),
        None => format!("AUDIT#-#{month}"),
    }
}

/// The practice's audit trail in time order: GSI1 `AUDIT#o` / `at#ulid` (every practice
/// event), and per actor on GSI2 `AUDIT#o#ACTOR#a` / `at#ulid`, so that reading the trail,
/// whole or by actor, is one Query per page. Events without a practice are not indexed.
pub fn audit_trail_pk(org: &OrgId) -> String {
    format!("AUDIT#{org}")
}
pub fn audit_actor_pk(org: &OrgId, actor: &AccountId) -> String {
    format!("AUDIT#{org}#ACTOR#{actor}")
}
/// `2026-11-22T04:10:00.123Z#01J…`: the fixed-width time sorts as text.
pub fn audit_time_sk(at: &str, id: &str) -> String {
    format!("{at}#{id}")
}

// ---- attachments -------------------------------------------------------------------------

/// An attachment lives in its conversation's partition (`CONV#c` / `A#att`): the message
/// post condition-checks it next to the meta, and `A#` sorts apart from `M#`, `P#`, `R#`.
pub fn attachment_sk(attachment: &AttachmentId) -> String {
    format!("A#{attachment}")
}
pub const ATTACHMENT_PREFIX: &str = "A#";

/// A fixed-window (UTC day) upload budget: `subject` is a conversation or an account id, so
/// one key space serves both budgets without collisions.
pub fn upload_budget_pk(subject: &str, day: &str) -> String {
    format!("UPBUDGET#{subject}#{day}")
}
pub const UPLOAD_BUDGET_SK: &str = "#BUDGET";

// ---- standard channels (SMS / email) ---------------------------------------------------

/// A practice's own number or reply address, `CHANNEL#sms#+1206…` / `#CHANNEL` (or
/// `CHANNEL#email#…`): inbound mail and texts find their practice here in one GetItem.
/// Numbers of the pool that no practice has yet carry GSI1 [`channel_pool_pk`] / number.
pub fn channel_pk(channel: &str, address: &str) -> String {
    format!("CHANNEL#{channel}#{address}")
}
pub const CHANNEL_SK: &str = "#CHANNEL";
/// GSI1 partition of the free numbers of a channel's pool (sparse: assigned numbers leave).
pub fn channel_pool_pk(channel: &str) -> String {
    format!("POOL#{channel}")
}

/// A practice's thread with one contact address, `THREAD#o#sms#+1202…` / `#THREAD`: the
/// latest standard conversation with it (inbound threading), every one of them (opt-out
/// fan-out) and the address's opt-out state.
pub fn thread_pk(org: &OrgId, channel: &str, address: &str) -> String {
    format!("THREAD#{org}#{channel}#{address}")
}
pub const THREAD_SK: &str = "#THREAD";

/// An inbound provider event already handled (`INBOUND#<provider id>` / `#INBOUND`): the
/// duplicate guard of inbound messages and keywords.
pub fn inbound_event_pk(provider_id: &str) -> String {
    format!("INBOUND#{provider_id}")
}
pub const INBOUND_EVENT_SK: &str = "#INBOUND";

/// Local stand-ins only: what a provider would echo back for one of its message ids
/// (End User Messaging's `context`, SES's tags), `ECHO#<provider id>` / `#ECHO`.
pub fn provider_echo_pk(provider_id: &str) -> String {
    format!("ECHO#{provider_id}")
}
pub const PROVIDER_ECHO_SK: &str = "#ECHO";

// ---- notifications and sync (issue 11) -------------------------------------------------

/// A device registered for push, under its account: `ACCT#a` / `DEVICE#dev` (a push to an
/// account is one Query on this prefix).
pub fn device_sk(device: &DeviceId) -> String {
    format!("DEVICE#{device}")
}
pub const DEVICE_PREFIX: &str = "DEVICE#";

/// A push token's owner, `PUSHTOKEN#ios#<sha256(token)>` / `#PUSHTOKEN`: the same token
/// registered again finds its device here (one device per token, whoever registers it).
pub fn push_token_pk(platform: &str, token_hash: &str) -> String {
    format!("PUSHTOKEN#{platform}#{token_hash}")
}
pub const PUSH_TOKEN_SK: &str = "#PUSHTOKEN";

/// One participant's notification state in a conversation, `CONV#c` / `N#acct`: the last
/// push (coalescing) and the unread reminder of the current unread run. Sorts between the
/// messages (`M#`) and the participant rows (`P#`), outside every prefix a Query reads.
pub fn notify_sk(account: &AccountId) -> String {
    format!("N#{account}")
}

/// GSI3 partition of the reminders waiting to go out, sorted by due time
/// ([`reminder_due_sk`]); sparse: a reminder leaves the index when it is claimed or reset.
pub const REMINDERS_DUE_PK: &str = "REMIND#DUE";
pub fn reminder_due_sk(due_ms: i64, conversation: &ConversationId, account: &AccountId) -> String {
    format!("{due_ms:013}#{conversation}#{account}")
}
/// GSI3 partition of outbound standard messages still `queued`, sorted by when the
/// reminders sweep re-drives them ([`send_due_sk`]); sparse: a message leaves the index
/// when it is sent or fails (`adapters::dynamo::standard::outbound`), so only the few
/// whose stream record ran out of retries are ever found there (`standard::redrive`).
pub const SENDS_DUE_PK: &str = "SEND#DUE";
pub fn send_due_sk(due_ms: i64, conversation: &ConversationId, message: &MessageId) -> String {
    format!("{due_ms:013}#{conversation}#{message}")
}
/// Upper bound of the due sort keys at `now_ms` (`~` sorts after every id character).
pub fn due_until(now_ms: i64) -> String {
    format!("{now_ms:013}~")
}

/// An account's change feed: `SYNC#acct` / `#HEAD` (the last sequence number and, per
/// conversation, the last stream record applied) and `SYNC#acct` / zero-padded seq (one
/// change). `#HEAD` sorts before every digit, so a page Query on `sk >= seq` never sees it.
pub fn sync_pk(account: &AccountId) -> String {
    format!("SYNC#{account}")
}
pub const SYNC_HEAD_SK: &str = "#HEAD";
pub fn sync_entry_sk(seq: u64) -> String {
    format!("{seq:016}")
}
