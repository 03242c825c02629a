//! Prefixed ULID identifiers (`org_01J…`). ULIDs sort by creation time, so ids double as
//! time-ordered sort keys; the prefix tells a reader (and a parser) what kind of thing an id
//! names, so an `acct_` id can never be passed where a `conv_` id is expected.

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;
use std::str::FromStr;
use ulid::Ulid;

/// An id string did not have the expected prefix or was not a ULID.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("not a valid {kind} id")]
pub struct BadId {
    pub kind: &'static str,
}

macro_rules! prefixed_id {
    ($(#[$doc:meta])* $name:ident, $prefix:literal) => {
        $(#[$doc])*
        #[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub struct $name(Ulid);

        impl $name {
            pub const PREFIX: &'static str = $prefix;

            /// A new id for something created now.
            pub fn generate() -> Self {
                Self(Ulid::new())
            }

            pub fn from_ulid(ulid: Ulid) -> Self {
                Self(ulid)
            }

            pub fn ulid(&self) -> Ulid {
                self.0
            }

            /// Milliseconds since the epoch at which the id was made.
            pub fn timestamp_ms(&self) -> u64 {
                self.0.timestamp_ms()
            }
        }

        impl FromStr for $name {
            type Err = BadId;
            fn from_str(s: &str) -> Result<Self, BadId> {
                let bad = BadId { kind: $prefix };
                let rest = s
                    .strip_prefix($prefix)
                    .and_then(|r| r.strip_prefix('_'))
                    .ok_or(bad.clone())?;
                if rest.len() != 26 {
                    return Err(bad);
                }
                Ulid::from_string(rest).map(Self).map_err(|_| bad)
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "{}_{}", $prefix, self.0)
            }
        }

        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                fmt::Display::fmt(self, f)
            }
        }

        impl Serialize for $name {
            fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.collect_str(self)
            }
        }

        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let s = String::deserialize(d)?;
                s.parse().map_err(serde::de::Error::custom)
            }
        }
    };
}

prefixed_id!(/** A practice (organisation). */ OrgId, "org");
prefixed_id!(/** A person's account: staff or patient. */ AccountId, "acct");
prefixed_id!(/** A practice link. */ LinkId, "link");
prefixed_id!(/** An address-book contact of a practice. */ ContactId, "ct");
prefixed_id!(/** An invitation to a secure conversation. */ InviteId, "inv");
prefixed_id!(/** A conversation. */ ConversationId, "conv");
prefixed_id!(/** A message. */ MessageId, "msg");
prefixed_id!(/** A one-time-code challenge. */ ChallengeId, "chal");
prefixed_id!(/** A file attached (or being attached) to a secure conversation. */ AttachmentId, "att");
prefixed_id!(/** A phone registered for push notifications. */ DeviceId, "dev");

/// The low 16 bits of a standard conversation id's ULID (of its 80 random bits): the id
/// says the conversation's kind, so a post knows it before its one write (a standard
/// message carries a `delivery`; see `conversations::post`). A secure id never ends so.
const STANDARD_MARK: u128 = 0x5D5D;
const MARK_MASK: u128 = 0xFFFF;

impl ConversationId {
    /// A new standard (SMS / email) conversation's id: marked.
    pub fn generate_standard() -> Self {
        let raw = Ulid::new().0;
        Self(Ulid((raw & !MARK_MASK) | STANDARD_MARK))
    }

    /// A new secure conversation's id: never marked.
    pub fn generate_secure() -> Self {
        let raw = Ulid::new().0;
        if raw & MARK_MASK == STANDARD_MARK {
            Self(Ulid(raw ^ 1))
        } else {
            Self(Ulid(raw))
        }
    }

    /// Whether the id carries the standard mark. Ids made before the mark existed (and
    /// ids from [`ConversationId::generate`]) may say wrong: one in 65,536 secure ones
    /// looks standard, and older standard ones do not; a wrong guess only costs the post
    /// a refusal and a read.
    pub fn marked_standard(&self) -> bool {
        self.0 .0 & MARK_MASK == STANDARD_MARK
    }
}

/// Who sent a message: an account (staff, or a patient in a secure conversation) or a
/// practice contact (an inbound SMS or email in a standard conversation, sent by someone
/// with no account). Stored and shown as the id itself (`acct_…` or `ct_…`).
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum SenderId {
    Account(AccountId),
    Contact(ContactId),
}

impl SenderId {
    /// The account, when an account sent it.
    pub fn account(&self) -> Option<AccountId> {
        match self {
            SenderId::Account(a) => Some(*a),
            SenderId::Contact(_) => None,
        }
    }

    pub fn contact(&self) -> Option<ContactId> {
        match self {
            SenderId::Contact(c) => Some(*c),
            SenderId::Account(_) => None,
        }
    }

    /// Whether `account` sent it.
    pub fn is_account(&self, account: &AccountId) -> bool {
        self.account().as_ref() == Some(account)
    }
}

impl From<AccountId> for SenderId {
    fn from(a: AccountId) -> Self {
        SenderId::Account(a)
    }
}

impl From<ContactId> for SenderId {
    fn from(c: ContactId) -> Self {
        SenderId::Contact(c)
    }
}

impl FromStr for SenderId {
    type Err = BadId;
    fn from_str(s: &str) -> Result<Self, BadId> {
        if s.starts_with("ct_") {
            s.parse().map(SenderId::Contact)
        } else {
            s.parse()
                .map(SenderId::Account)
                .map_err(|_| BadId { kind: "sender" })
        }
    }
}

impl fmt::Display for SenderId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SenderId::Account(a) => fmt::Display::fmt(a, f),
            SenderId::Contact(c) => fmt::Display::fmt(c, f),
        }
    }
}

impl fmt::Debug for SenderId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

impl Serialize for SenderId {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for SenderId {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sender_is_an_account_or_a_contact_by_its_prefix() {
        let a = AccountId::generate();
        let c = ContactId::generate();
        let sa: SenderId = a.to_string().parse().unwrap();
        let sc: SenderId = c.to_string().parse().unwrap();
        assert_eq!((sa, sc), (SenderId::Account(a), SenderId::Contact(c)));
        assert_eq!(sa.to_string(), a.to_string());
        assert!(sa.is_account(&a) && !sc.is_account(&a));
        assert_eq!(sc.contact(), Some(c));
        assert!("conv_01J0000000000000000000000"
            .parse::<SenderId>()
            .is_err());
        let json = serde_json::to_string(&sc).unwrap();
        assert_eq!(serde_json::from_str::<SenderId>(&json).unwrap(), sc);
    }

    #[test]
    fn standard_ids_carry_their_mark_and_secure_ones_never_do() {
        for _ in 0..1_000 {
            let s = ConversationId::generate_standard();
            assert!(s.marked_standard());
            assert!(!ConversationId::generate_secure().marked_standard());
            let parsed: ConversationId = s.to_string().parse().unwrap();
            assert!(parsed.marked_standard());
        }
        let a = ConversationId::generate_standard();
        let b = ConversationId::generate_standard();
        assert_ne!(a, b, "64 random bits remain");
    }

    #[test]
    fn round_trips_through_its_string_form() {
        let id = ConversationId::generate();
        let parsed: ConversationId = id.to_string().parse().unwrap();
        assert_eq!(id, parsed);
        assert!(id.to_string().starts_with("conv_"));
    }

    #[test]
    fn refuses_another_kinds_prefix_and_junk() {
        let acct = AccountId::generate().to_string();
        assert!(acct.parse::<ConversationId>().is_err());
        assert!("conv_".parse::<ConversationId>().is_err());
        assert!("conv_not-a-ulid-at-all-000000"
            .parse::<ConversationId>()
            .is_err());
        assert!("".parse::<OrgId>().is_err());
    }

    #[test]
    fn later_ids_sort_after_earlier_ones() {
        let a = MessageId::from_ulid(Ulid::from_parts(1_000, 5));
        let b = MessageId::from_ulid(Ulid::from_parts(2_000, 1));
        assert!(a.to_string() < b.to_string());
    }
}
