//! A conversation as the business sees it: who is in it, how it is routed, where each
//! reader's horizon is, and the rules on it (who may see it, who may post, unread counts).
//! No table keys and no AWS types: how it is stored is `adapters::dynamo::conversations`.

use crate::domain::caller::Caller;
use crate::domain::ids::{AccountId, ContactId, ConversationId, LinkId, MessageId, OrgId};
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
    /// Stored apart, in `read_counts` (so a write can copy `message_count` into it); filled
    /// in here when a conversation is loaded.
    #[serde(default, skip_serializing)]
    pub count: i64,
    pub at: i64,
}

/// A conversation with more participants than this is a group ([`Conversation::is_group`]).
pub const GROUP_ABOVE: usize = 2;

/// A conversation and everything its inbox row, details and receipts show.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Conversation {
    pub id: ConversationId,
    pub org_id: OrgId,
    pub kind: ConversationKind,
    pub subject: Option<String>,
    pub tags: Vec<String>,
    pub state: ConversationState,
    pub read_only: bool,
    pub identity: Option<Identity>,
    pub contact_match: Option<ContactMatch>,
    /// The link the conversation is routed to (its members see it); None: whole team.
    pub link_id: Option<LinkId>,
    /// The practice's contacts for the patients in it.
    pub contact_ids: Vec<ContactId>,
    /// Standard conversations only.
    pub channel: Option<Channel>,
    /// Standard conversations only: the contact's number or address, the practice's own
    /// number or reply address it goes out from, and whether the contact opted out
    /// (STOP, a bounce or a complaint; see `crate::standard`).
    pub to: Option<String>,
    pub from_address: Option<String>,
    pub opted_out: bool,
    pub opted_out_at: Option<i64>,
    /// A secure conversation that `secure-invite` made from a standard one, until the
    /// patient signs up: that standard conversation (not shown; the pairing turns it into
    /// the two pointers below).
    pub invited_from: Option<ConversationId>,
    /// A secure conversation: the standard one it was invited from, once the patient has
    /// signed up (API.md "Standard conversations").
    pub standard_conversation_id: Option<ConversationId>,
    /// A standard conversation: the secure one its contact signed up into through a
    /// `secure-invite` from it (the latest, if several were accepted).
    pub secure_conversation_id: Option<ConversationId>,
    pub participants: Vec<ParticipantRef>,
    /// The participants' ids alone (storage conditions test membership on it); kept equal
    /// to `participants` by whoever changes the roster.
    pub participant_ids: Vec<AccountId>,
    pub message_count: i64,
    pub last_message_id: Option<MessageId>,
    pub last_message_at: Option<i64>,
    pub preview: Option<String>,
    /// Epoch ms of the last message or, before any, of creation: the inbox order.
    pub last_activity: i64,
    /// Account id → read state, for every reader (staff and patients).
    pub reads: BTreeMap<String, ReadState>,
    /// Account id → messages covered by that reader's horizon.
    pub read_counts: BTreeMap<String, i64>,
    pub created_at: i64,
    pub created_by: Option<AccountId>,
}

/// Everything needed to start a conversation; see [`Conversation::new`].
#[derive(Debug, Clone)]
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

/// Why nobody may post in a conversation right now (the post answers 409).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum Closed {
    #[error("The patient has not created an account yet.")]
    PendingAccount,
    #[error("The conversation is read-only.")]
    ReadOnly,
    #[error("The contact has opted out of messages on this channel.")]
    OptedOut,
}

impl Conversation {
    /// A new conversation: no messages, activity = creation.
    pub fn new(spec: NewConversation, now: i64) -> Self {
        Self {
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
            to: None,
            from_address: None,
            opted_out: false,
            opted_out_at: None,
            invited_from: None,
            standard_conversation_id: None,
            secure_conversation_id: None,
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
        }
    }

    /// Unread messages for `reader`, from counters (never by counting items).
    pub fn unread_for(&self, reader: &AccountId) -> i64 {
        (self.message_count - self.read_count_of(reader)).max(0)
    }

    /// Messages covered by `reader`'s horizon.
    pub fn read_count_of(&self, reader: &AccountId) -> i64 {
        self.read_counts
            .get(&reader.to_string())
            .copied()
            .unwrap_or(0)
    }

    /// The newest message `reader` has read, if any.
    pub fn horizon_of(&self, reader: &AccountId) -> Option<MessageId> {
        self.reads.get(&reader.to_string()).map(|r| r.through)
    }

    /// More than two participants: each reader's receipts then go to an item of their own
    /// (`conversations::mark_read`), so a group reading at once shares no item.
    pub fn is_group(&self) -> bool {
        self.participant_ids.len().max(self.participants.len()) > GROUP_ABOVE
    }

    /// Takes in readers' own horizon items (a group's receipts, which reach `reads` and
    /// `read_counts` only when the stream folds them in): for each reader the further of
    /// the two horizons wins, with its own count (a horizon and its count are one fact).
    pub fn merge_horizons(&mut self, own: impl IntoIterator<Item = (AccountId, ReadState)>) {
        for (reader, state) in own {
            let key = reader.to_string();
            if self
                .reads
                .get(&key)
                .is_some_and(|r| r.through >= state.through)
            {
                continue;
            }
            self.read_counts.insert(key.clone(), state.count);
            self.reads.insert(key, state);
        }
    }

    pub fn has_participant(&self, account: &AccountId) -> bool {
        self.participants.iter().any(|p| &p.id == account) || self.participant_ids.contains(account)
    }

    /// Whether `caller` may see this conversation: participants (patients and teammates in
    /// a group), and staff of its practice who see its routing link (or it has none).
    /// Anyone else is answered 404, as if it did not exist. Storage conditions express the
    /// same rule (`adapters::dynamo::conversations::access`), so a write carries it.
    pub fn visible_to(&self, caller: &Caller) -> bool {
        if self.has_participant(&caller.account_id) {
            return true;
        }
        caller.role.is_staff()
            && caller.org_id.as_ref() == Some(&self.org_id)
            && caller.sees_link(self.link_id.as_ref())
    }

    /// Whether a message may be posted now (read receipts are accepted either way).
    pub fn open_for_posts(&self) -> Result<(), Closed> {
        if self.state == ConversationState::PendingAccount {
            return Err(Closed::PendingAccount);
        }
        if self.read_only {
            return Err(Closed::ReadOnly);
        }
        if self.opted_out {
            return Err(Closed::OptedOut);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::role::Role;

    pub(crate) fn patient(name: &str) -> ParticipantRef {
        ParticipantRef {
            id: AccountId::generate(),
            kind: ParticipantKind::Patient,
            name: name.into(),
        }
    }

    fn spec(participants: Vec<ParticipantRef>, link: Option<LinkId>) -> NewConversation {
        NewConversation {
            id: ConversationId::generate(),
            org_id: OrgId::generate(),
            kind: ConversationKind::Secure,
            subject: None,
            tags: vec![],
            state: ConversationState::Active,
            identity: None,
            contact_match: None,
            link_id: link,
            contact_ids: vec![],
            channel: None,
            participants,
            created_by: None,
        }
    }

    #[test]
    fn unread_comes_from_counters_and_new_conversations_list_participant_ids() {
        let who = patient("P");
        let mut c = Conversation::new(spec(vec![who.clone()], None), 1);
        assert_eq!(c.participant_ids, vec![who.id]);
        c.message_count = 5;
        c.read_counts.insert(who.id.to_string(), 3);
        assert_eq!(c.unread_for(&who.id), 2);
        assert_eq!(c.unread_for(&AccountId::generate()), 5);
    }

    #[test]
    fn staff_see_conversations_of_their_practice_on_links_they_see() {
        let link = LinkId::generate();
        let c = Conversation::new(spec(vec![patient("P")], Some(link)), 1);
        let staff = |org: OrgId, links: Vec<LinkId>| Caller {
            account_id: AccountId::generate(),
            role: Role::Member,
            org_id: Some(org),
            visible_links: links,
        };
        assert!(c.visible_to(&staff(c.org_id, vec![link])));
        assert!(!c.visible_to(&staff(c.org_id, vec![])));
        assert!(!c.visible_to(&staff(OrgId::generate(), vec![link])));
        let stranger = Caller {
            account_id: AccountId::generate(),
            role: Role::Patient,
            org_id: None,
            visible_links: vec![],
        };
        assert!(!c.visible_to(&stranger));
    }

    #[test]
    fn an_own_horizon_item_counts_only_when_it_is_further_than_the_conversations() {
        let (a, b) = (patient("A"), patient("B"));
        let mut c = Conversation::new(spec(vec![a.clone(), b.clone()], None), 1);
        assert!(!c.is_group());
        let (x, y) = (MessageId::generate(), MessageId::generate());
        let (m1, m2) = (x.min(y), x.max(y));
        let at = |through, count| ReadState {
            through,
            count,
            at: 9,
        };
        c.reads.insert(a.id.to_string(), at(m2, 2));
        c.read_counts.insert(a.id.to_string(), 2);
        c.message_count = 2;
        c.merge_horizons([(a.id, at(m1, 1)), (b.id, at(m1, 1))]);
        assert_eq!((c.horizon_of(&a.id), c.unread_for(&a.id)), (Some(m2), 0));
        assert_eq!((c.horizon_of(&b.id), c.unread_for(&b.id)), (Some(m1), 1));
        c.merge_horizons([(b.id, at(m2, 2))]);
        assert_eq!(c.unread_for(&b.id), 0);
        c.participants.push(patient("C"));
        assert!(c.is_group());
    }

    #[test]
    fn pending_and_read_only_conversations_take_no_posts() {
        let mut c = Conversation::new(spec(vec![], None), 1);
        assert_eq!(c.open_for_posts(), Ok(()));
        c.read_only = true;
        assert_eq!(c.open_for_posts(), Err(Closed::ReadOnly));
        c.state = ConversationState::PendingAccount;
        assert_eq!(c.open_for_posts(), Err(Closed::PendingAccount));
    }
}
