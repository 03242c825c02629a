//! Conversations: the item shapes and rules shared by signup/invites (which create secure
//! conversations), conversations (create, list, details, changes) and messages (post,
//! read receipts).
//!
//! Items under `CONV#c`:
//! - `#META` ([`ConversationItem`]): everything the practice inbox shows, including every
//!   reader's read state (`reads`), so a staff inbox page with unread counts is one Query on
//!   GSI1 `ORG#o#INBOX` (or GSI2 `LINK#l#INBOX` for one link).
//! - `P#acct` ([`ParticipantItem`]): one per participant, on GSI1 `ACCT#a#INBOX`, mirroring
//!   what that participant's inbox shows, so a patient's inbox page is one Query too. Posts
//!   update every participant row in the same transaction (groups are small).
//! - `M#msg`: messages; `R#msg#acct`: the read-receipt log.

use crate::adapters::dynamo::{self, keys, put, to_item, StoreError};
use crate::app::App;
use crate::domain::ids::{AccountId, ContactId, ConversationId, LinkId, MessageId, OrgId};
use crate::domain::time::rfc3339;
use aws_sdk_dynamodb::types::TransactWriteItem;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ConversationKind {
    /// App-to-app, HIPAA-grade.
    Secure,
    /// SMS or email with one contact.
    Standard,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ConversationState {
    /// An invite's conversation before the patient creates an account.
    PendingAccount,
    Active,
}

/// How the patient's identity was established.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Identity {
    /// Invite: phone and email on file both proven.
    Verified,
    /// Practice link: only the phone was proven; the practice must check identity.
    Unverified,
}

/// A link signup's details against the practice's contacts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ContactMatch {
    Matched,
    Mismatch,
    None,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ParticipantKind {
    Patient,
    Staff,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Channel {
    Sms,
    Email,
}

/// A participant as the conversation remembers them (names are denormalised for details).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ParticipantRef {
    pub id: AccountId,
    pub kind: ParticipantKind,
    pub name: String,
}

/// One reader's horizon: the newest message they have read, how many messages that covers,
/// and when they got there.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReadState {
    pub through: MessageId,
    /// Stored in the meta's `read_counts` map (so an update can copy `message_count` into
    /// it, see `messages`); filled in here when the item is loaded.
    #[serde(default, skip_serializing)]
    pub count: i64,
    pub at: i64,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ConversationItem {
    pub pk: String,
    pub sk: String,
    /// GSI1: the practice inbox, `ORG#o#INBOX` / `<activity>#conv`.
    pub gsi1pk: String,
    pub gsi1sk: String,
    /// GSI2: the routing link's inbox, `LINK#l#INBOX` / `<activity>#conv` (absent: no link).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gsi2pk: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gsi2sk: Option<String>,
    pub id: ConversationId,
    pub org_id: OrgId,
    pub kind: ConversationKind,
    #[serde(default)]
    pub subject: Option<String>,
    #[serde(default)]
    pub tags: Vec<String>,
    pub state: ConversationState,
    pub read_only: bool,
    #[serde(default)]
    pub identity: Option<Identity>,
    #[serde(default)]
    pub contact_match: Option<ContactMatch>,
    /// The link the conversation is routed to (its members see it); None: whole team.
    #[serde(default)]
    pub link_id: Option<LinkId>,
    /// The practice's contacts for the patients in it.
    #[serde(default)]
    pub contact_ids: Vec<ContactId>,
    /// Standard conversations only.
    #[serde(default)]
    pub channel: Option<Channel>,
    #[serde(default)]
    pub participants: Vec<ParticipantRef>,
    /// The participants' ids alone, so write conditions can say `contains(#pids, :me)`.
    /// Kept equal to `participants` by whoever changes the roster.
    #[serde(default)]
    pub participant_ids: Vec<AccountId>,
    #[serde(default)]
    pub message_count: i64,
    #[serde(default)]
    pub last_message_id: Option<MessageId>,
    #[serde(default)]
    pub last_message_at: Option<i64>,
    #[serde(default)]
    pub preview: Option<String>,
    /// Epoch ms of the last message or, before any, of creation: the inbox order.
    pub last_activity: i64,
    /// Account id → read state, for every reader (staff and patients).
    #[serde(default)]
    pub reads: BTreeMap<String, ReadState>,
    /// Account id → messages covered by that reader's horizon. Separate from `reads` so a
    /// receipt can `SET #read_counts.#me = #message_count` next to `SET #reads.#me = :state`
    /// (one update may not touch a map entry and a path inside it).
    #[serde(default)]
    pub read_counts: BTreeMap<String, i64>,
    pub created_at: i64,
    pub created_by: Option<AccountId>,
}

impl ConversationItem {
    pub fn key_for(conversation: &ConversationId) -> dynamo::Item {
        dynamo::key(
            keys::conversation_pk(conversation),
            keys::CONVERSATION_META_SK,
        )
    }

    /// Unread messages for `reader`, from counters (never by counting items).
    pub fn unread_for(&self, reader: &AccountId) -> i64 {
        let read = self
            .read_counts
            .get(&reader.to_string())
            .copied()
            .unwrap_or(0);
        (self.message_count - read).max(0)
    }

    pub fn has_participant(&self, account: &AccountId) -> bool {
        self.participants.iter().any(|p| &p.id == account) || self.participant_ids.contains(account)
    }

    /// Copies `read_counts` into `reads[..].count` (call after loading an item).
    pub fn with_read_counts(mut self) -> Self {
        for (reader, state) in self.reads.iter_mut() {
            state.count = self.read_counts.get(reader).copied().unwrap_or(0);
        }
        self
    }

    /// The inbox row as API.md lists it, for `viewer`.
    pub fn inbox_view(&self, viewer: &AccountId) -> serde_json::Value {
        serde_json::json!({
            "id": self.id,
            "kind": self.kind,
            "subject": self.subject,
            "tags": self.tags,
            "read_only": self.read_only,
            "state": self.state,
            "link_id": self.link_id,
            "last_message_at": self.last_message_at.map(rfc3339),
            "preview": self.preview,
            "unread_count": self.unread_for(viewer),
        })
    }
}

/// A participant row: `CONV#c` / `P#a`, on GSI1 `ACCT#a#INBOX` / `<activity>#conv`.
/// It mirrors the inbox fields so a patient's inbox page is one Query.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ParticipantItem {
    pub pk: String,
    pub sk: String,
    pub gsi1pk: String,
    pub gsi1sk: String,
    pub conversation_id: ConversationId,
    pub account_id: AccountId,
    pub kind: ParticipantKind,
    pub org_id: OrgId,
    pub conversation_kind: ConversationKind,
    #[serde(default)]
    pub subject: Option<String>,
    pub state: ConversationState,
    pub read_only: bool,
    #[serde(default)]
    pub message_count: i64,
    #[serde(default)]
    pub read_count: i64,
    #[serde(default)]
    pub last_message_at: Option<i64>,
    #[serde(default)]
    pub preview: Option<String>,
    pub last_activity: i64,
    pub joined_at: i64,
}

impl ParticipantItem {
    /// A participant row mirroring `conversation` as it is now.
    pub fn for_conversation(
        conversation: &ConversationItem,
        who: &ParticipantRef,
        now: i64,
    ) -> Self {
        Self {
            pk: keys::conversation_pk(&conversation.id),
            sk: keys::participant_sk(&who.id),
            gsi1pk: keys::account_inbox_pk(&who.id),
            gsi1sk: keys::activity_sk(conversation.last_activity, &conversation.id),
            conversation_id: conversation.id,
            account_id: who.id,
            kind: who.kind,
            org_id: conversation.org_id,
            conversation_kind: conversation.kind,
            subject: conversation.subject.clone(),
            state: conversation.state,
            read_only: conversation.read_only,
            message_count: conversation.message_count,
            read_count: conversation
                .read_counts
                .get(&who.id.to_string())
                .copied()
                .unwrap_or(0),
            last_message_at: conversation.last_message_at,
            preview: conversation.preview.clone(),
            last_activity: conversation.last_activity,
            joined_at: now,
        }
    }

    /// The patient's inbox row, same shape as [`ConversationItem::inbox_view`].
    pub fn inbox_view(&self) -> serde_json::Value {
        serde_json::json!({
            "id": self.conversation_id,
            "kind": self.conversation_kind,
            "subject": self.subject,
            "read_only": self.read_only,
            "state": self.state,
            "last_message_at": self.last_message_at.map(rfc3339),
            "preview": self.preview,
            "unread_count": (self.message_count - self.read_count).max(0),
        })
    }
}

/// Everything needed to start a conversation; see [`new_conversation`].
pub struct NewConversation {
    pub id: ConversationId,
    pub org_id: OrgId,
    pub kind: ConversationKind,
    pub subject: Option<String>,
    pub tags: Vec<String>,
    pub state: ConversationState,
    pub identity: Option<Identity>,
    pub contact_match: Option<ContactMatch>,
    pub link_id: Option<LinkId>,
    pub contact_ids: Vec<ContactId>,
    pub channel: Option<Channel>,
    pub participants: Vec<ParticipantRef>,
    pub created_by: Option<AccountId>,
}

/// The meta item and participant rows of a new conversation.
pub fn new_conversation(
    spec: NewConversation,
    now: i64,
) -> (ConversationItem, Vec<ParticipantItem>) {
    let activity = keys::activity_sk(now, &spec.id);
    let meta = ConversationItem {
        pk: keys::conversation_pk(&spec.id),
        sk: keys::CONVERSATION_META_SK.into(),
        gsi1pk: keys::org_inbox_pk(&spec.org_id),
        gsi1sk: activity.clone(),
        gsi2pk: spec.link_id.as_ref().map(keys::link_inbox_pk),
        gsi2sk: spec.link_id.as_ref().map(|_| activity),
        id: spec.id,
        org_id: spec.org_id,
        kind: spec.kind,
        subject: spec.subject,
        tags: spec.tags,
        state: spec.state,
        read_only: false,
        identity: spec.identity,
        contact_match: spec.contact_match,
        link_id: spec.link_id,
        contact_ids: spec.contact_ids,
        channel: spec.channel,
        participant_ids: spec.participants.iter().map(|p| p.id).collect(),
        participants: spec.participants,
        message_count: 0,
        last_message_id: None,
        last_message_at: None,
        preview: None,
        last_activity: now,
        reads: BTreeMap::new(),
        read_counts: BTreeMap::new(),
        created_at: now,
        created_by: spec.created_by,
    };
    let rows = meta
        .participants
        .iter()
        .map(|p| ParticipantItem::for_conversation(&meta, p, now))
        .collect();
    (meta, rows)
}

/// Puts for a new conversation's meta and participant rows (for the caller's transaction).
pub fn creation_writes(
    app: &App,
    meta: &ConversationItem,
    rows: &[ParticipantItem],
) -> Result<Vec<TransactWriteItem>, StoreError> {
    let mut writes = vec![put(
        app.table(),
        to_item(meta)?,
        Some("attribute_not_exists(pk)"),
    )?];
    for row in rows {
        writes.push(put(
            app.table(),
            to_item(row)?,
            Some("attribute_not_exists(pk)"),
        )?);
    }
    Ok(writes)
}

/// The conversation's meta item (consistent read).
pub async fn get(
    app: &App,
    conversation: &ConversationId,
) -> Result<Option<ConversationItem>, StoreError> {
    let out = app
        .db
        .get_item()
        .table_name(app.table())
        .set_key(Some(ConversationItem::key_for(conversation)))
        .consistent_read(true)
        .send()
        .await?;
    Ok(out
        .item
        .map(dynamo::from_item::<ConversationItem>)
        .transpose()?
        .map(ConversationItem::with_read_counts))
}

/// Whether `caller` may see this conversation: staff of its practice who see its routing
/// link (or it has none), participants (patients and teammates in a group). Anyone else
/// gets 404 from the handlers, as if it did not exist.
pub fn visible_to(conversation: &ConversationItem, caller: &crate::http::Caller) -> bool {
    if conversation.has_participant(&caller.account_id) {
        return true;
    }
    caller.role.is_staff()
        && caller.org_id.as_ref() == Some(&conversation.org_id)
        && caller.sees_link(conversation.link_id.as_ref())
}

/// A condition or filter expression with its attribute names and values, built up in
/// pieces (every attribute through a `#name`, as DynamoDB reserves hundreds of words).
pub use crate::adapters::dynamo::Expr;

/// The link part of a staff member's visibility: the conversation has no routing link
/// (absent or NULL) or one of the caller's visible links. Used as a write condition on the
/// meta and as the inbox FilterExpression.
fn link_clause(e: &mut Expr, caller: &crate::http::Caller) -> String {
    e.name("#link", "link_id")
        .value(":null_type", dynamo::s("NULL"));
    let mut parts = vec![
        "attribute_not_exists(#link)".to_string(),
        "attribute_type(#link, :null_type)".to_string(),
    ];
    // `IN` takes at most 100 operands; a practice with more links than that would need
    // a different filter (none is near it).
    let links: Vec<String> = caller
        .visible_links
        .iter()
        .take(100)
        .enumerate()
        .map(|(i, link)| {
            let p = format!(":vl{i}");
            e.value(&p, dynamo::s(link.to_string()));
            p
        })
        .collect();
    if !links.is_empty() {
        parts.push(format!("#link IN ({})", links.join(", ")));
    }
    parts.join(" OR ")
}

/// The condition on a conversation's meta item that `caller` may see it, as
/// [`visible_to`] decides, so a write carries its own authorization (and a stale read can
/// never authorize it): participants by `contains(#pids, :me)`, staff of the practice by
/// org and routing link. Uses `#pids`, `#org`, `#link`, `:me`, `:org`, `:null_type`, `:vlN`.
pub fn access_condition(e: &mut Expr, caller: &crate::http::Caller) {
    e.name("#pids", "participant_ids")
        .value(":me", dynamo::s(caller.account_id.to_string()));
    match (&caller.org_id, caller.role.is_staff()) {
        (Some(org), true) => {
            e.name("#org", "org_id")
                .value(":org", dynamo::s(org.to_string()));
            let link = link_clause(e, caller);
            e.and(&format!(
                "(#org = :org AND ({link})) OR contains(#pids, :me)"
            ));
        }
        _ => {
            e.and("contains(#pids, :me)");
        }
    }
}

/// The staff inbox filter: conversations routed to no link or to one the caller sees, or
/// that they take part in (the partition already fixes the practice).
pub fn inbox_filter(e: &mut Expr, caller: &crate::http::Caller) {
    e.name("#pids", "participant_ids")
        .value(":me", dynamo::s(caller.account_id.to_string()));
    let link = link_clause(e, caller);
    e.and(&format!("{link} OR contains(#pids, :me)"));
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::role::Role;
    use crate::http::Caller;

    fn caller(role: Role, links: usize) -> Caller {
        Caller {
            account_id: AccountId::generate(),
            role,
            org_id: role.is_staff().then(OrgId::generate),
            visible_links: (0..links).map(|_| LinkId::generate()).collect(),
        }
    }

    #[test]
    fn patients_are_authorized_only_as_participants() {
        let mut e = Expr::default();
        access_condition(&mut e, &caller(Role::Patient, 0));
        assert_eq!(e.text, "(contains(#pids, :me))");
        assert!(!e.names.contains_key("#org"));
    }

    #[test]
    fn staff_are_authorized_by_practice_and_visible_links_or_participation() {
        let mut e = Expr::default();
        access_condition(&mut e, &caller(Role::Member, 2));
        assert!(e.text.contains("#org = :org"));
        assert!(e.text.contains("#link IN (:vl0, :vl1)"));
        assert!(e.text.contains("attribute_type(#link, :null_type)"));
        assert!(e.text.ends_with("OR contains(#pids, :me))"));
        let mut none = Expr::default();
        access_condition(&mut none, &caller(Role::Member, 0));
        assert!(!none.text.contains(" IN "), "IN () would be invalid");
    }

    #[test]
    fn unread_comes_from_counters_and_new_conversations_list_participant_ids() {
        let who = ParticipantRef {
            id: AccountId::generate(),
            kind: ParticipantKind::Patient,
            name: "P".into(),
        };
        let (mut meta, rows) = new_conversation(
            NewConversation {
                id: ConversationId::generate(),
                org_id: OrgId::generate(),
                kind: ConversationKind::Secure,
                subject: None,
                tags: vec![],
                state: ConversationState::Active,
                identity: None,
                contact_match: None,
                link_id: None,
                contact_ids: vec![],
                channel: None,
                participants: vec![who.clone()],
                created_by: None,
            },
            1,
        );
        assert_eq!(meta.participant_ids, vec![who.id]);
        assert_eq!(rows.len(), 1);
        meta.message_count = 5;
        meta.read_counts.insert(who.id.to_string(), 3);
        assert_eq!(meta.unread_for(&who.id), 2);
        assert_eq!(meta.unread_for(&AccountId::generate()), 5);
    }
}
