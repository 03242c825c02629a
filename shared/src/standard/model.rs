//! The standard (SMS / email) half of a conversation, as plain values: which way a message
//! went, where its delivery stands and how that may move, and the addresses involved.
//! No AWS types and no keys here; the DynamoDB shape is in `adapters::dynamo::standard`.

use crate::domain::contact_info::{EmailAddress, PhoneNumber};
use crate::domain::ids::{ConversationId, MessageId, OrgId};
use serde::{Deserialize, Serialize};

/// Which plain channel a standard conversation uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StandardChannel {
    Sms,
    Email,
}

impl StandardChannel {
    pub fn as_str(self) -> &'static str {
        match self {
            StandardChannel::Sms => "sms",
            StandardChannel::Email => "email",
        }
    }
}

/// An address on a plain channel: the contact's number or email, or the practice's own.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Address {
    Phone(PhoneNumber),
    Email(EmailAddress),
}

impl Address {
    pub fn channel(&self) -> StandardChannel {
        match self {
            Address::Phone(_) => StandardChannel::Sms,
            Address::Email(_) => StandardChannel::Email,
        }
    }

    /// The stored form: E.164, or the email lower-cased (addresses are matched exactly).
    pub fn key(&self) -> String {
        match self {
            Address::Phone(p) => p.as_str().to_string(),
            Address::Email(e) => e.as_str().to_ascii_lowercase(),
        }
    }

    /// Reads a stored address back (it was validated when written).
    pub fn from_stored(channel: StandardChannel, value: String) -> Self {
        match channel {
            StandardChannel::Sms => Address::Phone(PhoneNumber::from_trusted(value)),
            StandardChannel::Email => Address::Email(EmailAddress::from_trusted(value)),
        }
    }
}

/// Which way a message went: `inbound` is what the patient sent, `outbound` what staff sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    Inbound,
    Outbound,
}

/// Where an outbound standard message's delivery stands. It only ever moves forward:
/// `queued → sent → delivered | failed | bounced | complained` (a provider may report a
/// final state without a `sent` first, and `queued → failed` is how a refused send ends).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DeliveryStatus {
    Queued,
    Sent,
    Delivered,
    Failed,
    Bounced,
    Complained,
}

impl DeliveryStatus {
    pub const ALL: [DeliveryStatus; 6] = [
        DeliveryStatus::Queued,
        DeliveryStatus::Sent,
        DeliveryStatus::Delivered,
        DeliveryStatus::Failed,
        DeliveryStatus::Bounced,
        DeliveryStatus::Complained,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            DeliveryStatus::Queued => "queued",
            DeliveryStatus::Sent => "sent",
            DeliveryStatus::Delivered => "delivered",
            DeliveryStatus::Failed => "failed",
            DeliveryStatus::Bounced => "bounced",
            DeliveryStatus::Complained => "complained",
        }
    }

    fn rank(self) -> u8 {
        match self {
            DeliveryStatus::Queued => 0,
            DeliveryStatus::Sent => 1,
            // A complaint arrives after a delivery, so it may follow `delivered`.
            DeliveryStatus::Delivered | DeliveryStatus::Failed | DeliveryStatus::Bounced => 2,
            DeliveryStatus::Complained => 3,
        }
    }

    /// The states a message may be in for `self` to replace it: the write condition of
    /// every status change, so a late or duplicate event never moves a message back.
    pub fn predecessors(self) -> Vec<DeliveryStatus> {
        Self::ALL
            .into_iter()
            .filter(|from| from.rank() < self.rank())
            .collect()
    }

    pub fn may_follow(self, current: DeliveryStatus) -> bool {
        self.predecessors().contains(&current)
    }
}

/// What the stream consumer needs to send one queued message: the message, and its
/// conversation's channel, addresses and opt-out state (read together in one call).
#[derive(Debug, Clone)]
pub struct Outbound {
    pub org_id: OrgId,
    pub conversation_id: ConversationId,
    pub message_id: MessageId,
    pub text: String,
    pub status: DeliveryStatus,
    /// The practice's own number or reply address (the sender).
    pub from: Address,
    /// The contact's number or address.
    pub to: Address,
    pub opted_out: bool,
    /// The practice's name (email subject and sender name).
    pub practice_name: String,
}

/// A reference to one outbound message, as a stream record carries it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct MessageRef {
    pub conversation_id: ConversationId,
    pub message_id: MessageId,
}

/// An outbound message still `queued` when its re-drive time came (`super::redrive`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DueSend {
    pub message: MessageRef,
    /// When it fell due (its place in the re-drive index).
    pub due_ms: i64,
    /// When it was posted (its `sent_at`).
    pub posted_ms: i64,
}

#[cfg(test)]
mod tests {
    use super::*;
    use DeliveryStatus::*;

    #[test]
    fn delivery_only_moves_forward() {
        assert!(Sent.may_follow(Queued));
        assert!(Delivered.may_follow(Sent));
        assert!(
            Delivered.may_follow(Queued),
            "a final event may overtake `sent`"
        );
        assert!(Failed.may_follow(Queued));
        assert!(Complained.may_follow(Delivered));
        assert!(!Sent.may_follow(Delivered));
        assert!(!Queued.may_follow(Sent));
        assert!(
            !Delivered.may_follow(Delivered),
            "a duplicate changes nothing"
        );
        assert!(!Delivered.may_follow(Bounced));
        assert!(!Bounced.may_follow(Failed));
        assert!(Queued.predecessors().is_empty());
    }

    #[test]
    fn addresses_are_keyed_by_their_normal_form() {
        let e = Address::Email(EmailAddress::parse("Ann@Example.com").unwrap());
        assert_eq!(e.key(), "ann@example.com");
        assert_eq!(e.channel(), StandardChannel::Email);
        let p = Address::Phone(PhoneNumber::parse("(202) 555-0142").unwrap());
        assert_eq!(p.key(), "+12025550142");
    }
}
