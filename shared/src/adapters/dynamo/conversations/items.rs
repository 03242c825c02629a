//! The items of a conversation's partition `CONV#c`, as `serde_dynamo` structs, and their
//! translation to and from the model (`crate::conversations`).
//!
//! - `#META` ([`ConversationItem`]): everything the practice inbox shows, including every
//!   reader's horizon (`reads`, `read_counts`), so a staff inbox page with unread counts is
//!   one Query on GSI1 `ORG#o#INBOX` (or GSI2 `LINK#l#INBOX` for one link).
//! - `P#acct` ([`ParticipantItem`]): one per participant, on GSI1 `ACCT#a#INBOX`, so the
//!   conversations an account takes part in are one Query.
//! - `M#msg` ([`MessageItem`]): time-ordered ids, so a messages page is one Query.
//! - `R#msg#acct` ([`ReceiptItem`]): the read-receipt log, one per horizon move.
//! - `H#acct` ([`HorizonItem`]): a group reader's own horizon, which the stream folds into
//!   the meta's `reads` / `read_counts` (so a group reading at once shares no item).
//! - `IDEM#sender#client_message_id` / `#IDEM` ([`IdempotencyItem`]): a post's retry record.

use crate::adapters::dynamo::{self, keys};
use crate::attachments::attach::AttachmentRef;
use crate::conversations::{
    Channel, ContactMatch, Conversation, ConversationKind, ConversationState, Delivery, Direction,
    Identity, Message, ParticipantKind, ParticipantRef, PostRecord, ReadState, Receipt,
};
use crate::domain::ids::{
    AccountId, ContactId, ConversationId, LinkId, MessageId, OrgId, SenderId,
};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// `CONV#c` / `#META`.
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
    #[serde(default)]
    pub link_id: Option<LinkId>,
    #[serde(default)]
    pub contact_ids: Vec<ContactId>,
    #[serde(default)]
    pub channel: Option<Channel>,
    /// Standard conversations: the contact's address, the practice's own, the opt-out.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub to: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from_address: Option<String>,
    #[serde(default)]
    pub opted_out: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub opted_out_at: Option<i64>,
    /// Secure-invite from a standard conversation: its id until the patient signs up, then
    /// the pointers between the two (see `Conversation`); absent otherwise.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub invited_from: Option<ConversationId>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub standard_conversation_id: Option<ConversationId>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub secure_conversation_id: Option<ConversationId>,
    #[serde(default)]
    pub participants: Vec<ParticipantRef>,
    /// The participants' ids alone, so write conditions can say `contains(#pids, :me)`.
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
    pub last_activity: i64,
    #[serde(default)]
    pub reads: BTreeMap<String, ReadState>,
    /// Separate from `reads` so a receipt can `SET #read_counts.#me = #message_count` next
    /// to `SET #reads.#me = :state` (one update may not touch a map entry and a path
    /// inside it).
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

    /// The item of `c`, with its inbox keys.
    pub fn from_model(c: &Conversation) -> Self {
        let activity = keys::activity_sk(c.last_activity, &c.id);
        Self {
            pk: keys::conversation_pk(&c.id),
            sk: keys::CONVERSATION_META_SK.into(),
            gsi1pk: keys::org_inbox_pk(&c.org_id),
            gsi1sk: activity.clone(),
            gsi2pk: c.link_id.as_ref().map(keys::link_inbox_pk),
            gsi2sk: c.link_id.as_ref().map(|_| activity),
            id: c.id,
            org_id: c.org_id,
            kind: c.kind,
            subject: c.subject.clone(),
            tags: c.tags.clone(),
            state: c.state,
            read_only: c.read_only,
            identity: c.identity,
            contact_match: c.contact_match,
            link_id: c.link_id,
            contact_ids: c.contact_ids.clone(),
            channel: c.channel,
            to: c.to.clone(),
            from_address: c.from_address.clone(),
            opted_out: c.opted_out,
            opted_out_at: c.opted_out_at,
            invited_from: c.invited_from,
            standard_conversation_id: c.standard_conversation_id,
            secure_conversation_id: c.secure_conversation_id,
            participants: c.participants.clone(),
            participant_ids: c.participant_ids.clone(),
            message_count: c.message_count,
            last_message_id: c.last_message_id,
            last_message_at: c.last_message_at,
            preview: c.preview.clone(),
            last_activity: c.last_activity,
            reads: c.reads.clone(),
            read_counts: c.read_counts.clone(),
            created_at: c.created_at,
            created_by: c.created_by,
        }
    }

    /// The model, with each horizon's count filled in from `read_counts`.
    pub fn into_model(self) -> Conversation {
        let mut reads = self.reads;
        for (reader, state) in reads.iter_mut() {
            state.count = self.read_counts.get(reader).copied().unwrap_or(0);
        }
        Conversation {
            id: self.id,
            org_id: self.org_id,
            kind: self.kind,
            subject: self.subject,
            tags: self.tags,
            state: self.state,
            read_only: self.read_only,
            identity: self.identity,
            contact_match: self.contact_match,
            link_id: self.link_id,
            contact_ids: self.contact_ids,
            channel: self.channel,
            to: self.to,
            from_address: self.from_address,
            opted_out: self.opted_out,
            opted_out_at: self.opted_out_at,
            invited_from: self.invited_from,
            standard_conversation_id: self.standard_conversation_id,
            secure_conversation_id: self.secure_conversation_id,
            participants: self.participants,
            participant_ids: self.participant_ids,
            message_count: self.message_count,
            last_message_id: self.last_message_id,
            last_message_at: self.last_message_at,
            preview: self.preview,
            last_activity: self.last_activity,
            reads,
            read_counts: self.read_counts,
            created_at: self.created_at,
            created_by: self.created_by,
        }
    }
}

/// `CONV#c` / `P#a`, on GSI1 `ACCT#a#INBOX` / `<activity>#conv`. It mirrors the inbox
/// fields as of when it was written (posts do not update it: they do not read the roster).
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
    /// The row of `who`, mirroring `c` as it is now.
    pub fn mirror(c: &Conversation, who: &ParticipantRef, now: i64) -> Self {
        Self {
            pk: keys::conversation_pk(&c.id),
            sk: keys::participant_sk(&who.id),
            gsi1pk: keys::account_inbox_pk(&who.id),
            gsi1sk: keys::activity_sk(c.last_activity, &c.id),
            conversation_id: c.id,
            account_id: who.id,
            kind: who.kind,
            org_id: c.org_id,
            conversation_kind: c.kind,
            subject: c.subject.clone(),
            state: c.state,
            read_only: c.read_only,
            message_count: c.message_count,
            read_count: c.read_count_of(&who.id),
            last_message_at: c.last_message_at,
            preview: c.preview.clone(),
            last_activity: c.last_activity,
            joined_at: now,
        }
    }

    /// The conversation as this row shows it to its participant (the inbox fields only:
    /// no roster, routing or tags; unread from the row's counters).
    pub fn into_inbox_model(self) -> Conversation {
        Conversation {
            id: self.conversation_id,
            org_id: self.org_id,
            kind: self.conversation_kind,
            subject: self.subject,
            tags: vec![],
            state: self.state,
            read_only: self.read_only,
            identity: None,
            contact_match: None,
            link_id: None,
            contact_ids: vec![],
            channel: None,
            to: None,
            from_address: None,
            opted_out: false,
            opted_out_at: None,
            invited_from: None,
            standard_conversation_id: None,
            secure_conversation_id: None,
            participants: vec![],
            participant_ids: vec![self.account_id],
            message_count: self.message_count,
            last_message_id: None,
            last_message_at: self.last_message_at,
            preview: self.preview,
            last_activity: self.last_activity,
            reads: Default::default(),
            read_counts: [(self.account_id.to_string(), self.read_count)].into(),
            created_at: self.joined_at,
            created_by: None,
        }
    }

    /// Old name of [`ParticipantItem::mirror`], for callers holding an item (pairing).
    pub fn for_conversation(
        conversation: &ConversationItem,
        who: &ParticipantRef,
        now: i64,
    ) -> Self {
        Self::mirror(&conversation.clone().into_model(), who, now)
    }
}

/// `CONV#c` / `M#m`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct MessageItem {
    pub pk: String,
    pub sk: String,
    pub id: MessageId,
    pub conversation_id: ConversationId,
    /// `acct_…`, or `ct_…` for an inbound standard message (its contact).
    pub sender_id: SenderId,
    pub text: String,
    pub client_message_id: String,
    pub sent_at: i64,
    /// Absent on messages stored before directions: outbound (staff were the only posters
    /// of standard messages; secure ones are read with their sender's role in mind).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub direction: Option<Direction>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub delivery: Option<Delivery>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub attachments: Vec<AttachmentRef>,
    /// While an outbound standard message is `queued`: GSI3 `SEND#DUE` /
    /// `<when to re-drive>#c#m`, so the reminders sweep finds it if the stream never
    /// delivers it (`standard::redrive`). Removed by the write that records it sent or
    /// failed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gsi3pk: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gsi3sk: Option<String>,
}

impl MessageItem {
    pub fn from_model(m: &Message) -> Self {
        let queued = m.direction == Direction::Outbound
            && m.delivery
                .as_ref()
                .is_some_and(|d| d.status == crate::standard::model::DeliveryStatus::Queued);
        let redrive_at = m.sent_at + crate::standard::redrive::REDRIVE_AFTER_MS;
        Self {
            gsi3pk: queued.then(|| keys::SENDS_DUE_PK.to_string()),
            gsi3sk: queued.then(|| keys::send_due_sk(redrive_at, &m.conversation_id, &m.id)),
            pk: keys::conversation_pk(&m.conversation_id),
            sk: keys::message_sk(&m.id),
            id: m.id,
            conversation_id: m.conversation_id,
            sender_id: m.sender_id,
            text: m.text.clone(),
            client_message_id: m.client_message_id.clone(),
            sent_at: m.sent_at,
            direction: Some(m.direction),
            delivery: m.delivery.clone(),
            attachments: m.attachments.clone(),
        }
    }

    pub fn into_model(self) -> Message {
        Message {
            id: self.id,
            conversation_id: self.conversation_id,
            sender_id: self.sender_id,
            text: self.text,
            client_message_id: self.client_message_id,
            sent_at: self.sent_at,
            direction: self.direction.unwrap_or(Direction::Outbound),
            delivery: self.delivery,
            attachments: self.attachments,
        }
    }
}

/// `IDEM#sender#client_message_id` / `#IDEM`; `ttl` only cleans up (expiry is enforced by
/// the post's condition on `expires_at`).
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
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub attachments: Vec<AttachmentRef>,
}

impl IdempotencyItem {
    pub fn from_model(sender: &AccountId, key: &str, r: &PostRecord) -> Self {
        Self {
            pk: keys::idempotency_pk(sender, key),
            sk: keys::IDEMPOTENCY_SK.into(),
            conversation_id: r.conversation_id,
            message_id: r.message_id,
            request_hash: r.request_hash.clone(),
            sent_at: r.sent_at,
            delivery: r.delivery.clone(),
            expires_at: r.expires_at,
            ttl: r.expires_at / 1000,
            attachments: r.attachments.clone(),
        }
    }

    pub fn into_model(self) -> PostRecord {
        PostRecord {
            conversation_id: self.conversation_id,
            message_id: self.message_id,
            request_hash: self.request_hash,
            sent_at: self.sent_at,
            delivery: self.delivery,
            expires_at: self.expires_at,
            attachments: self.attachments,
        }
    }
}

/// `CONV#c` / `R#through#reader`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ReceiptItem {
    pub pk: String,
    pub sk: String,
    pub reader: AccountId,
    #[serde(default)]
    pub from: Option<MessageId>,
    pub through: MessageId,
    pub at: i64,
    /// A group reader's receipt carries the count of messages its horizon covers, so the
    /// stream can fold it into the conversation's `read_counts` (see [`HorizonItem`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub count: Option<i64>,
    /// The reader's receipts on GSI3 ([`keys::reader_receipts_pk`] / `M#through`), so the
    /// first one at or past a message is one `Limit 1` Query (`GET …/messages/{id}`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gsi3pk: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gsi3sk: Option<String>,
}

impl ReceiptItem {
    pub fn from_model(conversation: &ConversationId, r: &Receipt) -> Self {
        Self {
            pk: keys::conversation_pk(conversation),
            sk: keys::receipt_sk(&r.through, &r.reader),
            reader: r.reader,
            from: r.from,
            through: r.through,
            at: r.at,
            count: None,
            gsi3pk: Some(keys::reader_receipts_pk(conversation, &r.reader)),
            gsi3sk: Some(keys::message_sk(&r.through)),
        }
    }

    pub fn into_model(self) -> Receipt {
        Receipt {
            reader: self.reader,
            from: self.from,
            through: self.through,
            at: self.at,
        }
    }
}

/// `CONV#c` / `H#reader`: a group reader's own horizon (`conversations::mark_read`). Only
/// that reader's receipts write it, so readers of one group never share an item; the
/// stream folds it into the conversation's `reads` / `read_counts` for the inbox.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct HorizonItem {
    pub pk: String,
    pub sk: String,
    pub reader: AccountId,
    pub through: MessageId,
    /// Messages the horizon covers (the conversation's count when `through` was newest).
    pub count: i64,
    pub at: i64,
}

impl HorizonItem {
    pub fn new(conversation: &ConversationId, reader: &AccountId, state: &ReadState) -> Self {
        Self {
            pk: keys::conversation_pk(conversation),
            sk: keys::horizon_sk(reader),
            reader: *reader,
            through: state.through,
            count: state.count,
            at: state.at,
        }
    }

    pub fn key_for(conversation: &ConversationId, reader: &AccountId) -> dynamo::Item {
        dynamo::key(
            keys::conversation_pk(conversation),
            keys::horizon_sk(reader),
        )
    }

    pub fn into_state(self) -> (AccountId, ReadState) {
        let state = ReadState {
            through: self.through,
            count: self.count,
            at: self.at,
        };
        (self.reader, state)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::conversations::NewConversation;

    #[test]
    fn a_conversation_round_trips_through_its_item_with_inbox_keys() {
        let link = LinkId::generate();
        let who = ParticipantRef {
            id: AccountId::generate(),
            kind: ParticipantKind::Patient,
            name: "P".into(),
        };
        let mut c = Conversation::new(
            NewConversation {
                id: ConversationId::generate(),
                org_id: OrgId::generate(),
                kind: ConversationKind::Secure,
                subject: Some("Labs".into()),
                tags: vec!["t".into()],
                state: ConversationState::Active,
                identity: None,
                contact_match: None,
                link_id: Some(link),
                contact_ids: vec![],
                channel: None,
                participants: vec![who.clone()],
                created_by: None,
            },
            7,
        );
        c.read_counts.insert(who.id.to_string(), 2);
        c.reads.insert(
            who.id.to_string(),
            ReadState {
                through: MessageId::generate(),
                count: 2,
                at: 9,
            },
        );
        let item = ConversationItem::from_model(&c);
        assert_eq!(item.gsi2pk, Some(keys::link_inbox_pk(&link)));
        assert_eq!(item.gsi1sk, keys::activity_sk(7, &c.id));
        let stored = dynamo::to_item(&item).unwrap();
        let back: ConversationItem = dynamo::from_item(stored).unwrap();
        assert_eq!(back.into_model(), c);
        assert_eq!(ParticipantItem::mirror(&c, &who, 8).read_count, 2);
    }
}
