//! Storage port of the invites aggregate (see docs/architecture.md): invite creation,
//! resend, the token a click or a signup presents, and the send results. Implemented once,
//! by `adapters::dynamo::invites`; the use cases in `crate::invites` take
//! `&impl InviteStore` so they can be unit-tested against an in-memory fake.

use crate::adapters::dynamo::conversations::{ConversationItem, ParticipantItem};
use crate::adapters::dynamo::StoreError;
use crate::contacts::Contact;
use crate::domain::ids::{ContactId, InviteId, OrgId};
use crate::invites::{Invite, InviteToken, SendResults};
use crate::services::audit::AuditEvent;
use async_trait::async_trait;

/// Why an invite write did not happen.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum InviteWriteError {
    /// The write's condition failed (each method says which condition that is).
    #[error("the invite's condition failed")]
    Refused,
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// A new conversation's items, as the conversations aggregate builds them.
pub struct NewConversationItems<'a> {
    pub meta: &'a ConversationItem,
    pub rows: &'a [ParticipantItem],
}

#[async_trait]
pub trait InviteStore: Send + Sync {
    /// The contact and the practice's name, in one read (strongly consistent).
    async fn contact_and_practice(
        &self,
        org: &OrgId,
        contact: &ContactId,
    ) -> Result<(Option<Contact>, Option<String>), StoreError>;

    /// Stores a new invite in one transaction: its conversation, the record, the token
    /// item for `token_hash`, the contact marked invited with the conversation listed, and
    /// the audit item. `Refused` when the contact has an account meanwhile.
    async fn insert_invite(
        &self,
        invite: &Invite,
        conversation: NewConversationItems<'_>,
        audit: &AuditEvent<'_>,
        now: i64,
    ) -> Result<(), InviteWriteError>;

    /// The invite record of a practice (consistent read).
    async fn invite(&self, org: &OrgId, id: &InviteId) -> Result<Option<Invite>, StoreError>;

    /// The token item for a token's hash (None: unknown, or replaced by a resend).
    async fn token(&self, token_hash: &str) -> Result<Option<InviteToken>, StoreError>;

    /// Replaces the invite's token (the old token item is deleted, the new one put) and
    /// stores its new expiry and resends, with the audit item. `Refused` when the invite is
    /// no longer pending on `previous`'s token (accepted or resent meanwhile).
    async fn renew_token(
        &self,
        previous: &Invite,
        renewed: &Invite,
        audit: &AuditEvent<'_>,
        now: i64,
    ) -> Result<(), InviteWriteError>;

    /// Records how the sends went, unless a resend has replaced the invite's token
    /// meanwhile (its own results win; that is not an error).
    async fn record_sends(&self, invite: &Invite, sends: &SendResults) -> Result<(), StoreError>;
}

// ---- pairing a verified patient (link pairing and invite acceptance) --------------------

use crate::adapters::dynamo::invites::AccessPart;
use crate::conversations::ParticipantRef;
use crate::domain::contact_info::{DisplayName, EmailAddress, PhoneNumber};
use crate::domain::ids::{AccountId, ConversationId, LinkId};

/// Slot names of the pairing transactions, so a use case can tell which condition failed.
pub mod slots {
    /// The challenge is consumed (unused, unexpired) — `services::otp::consume`'s first item.
    pub const CHALLENGE: &str = "challenge";
    /// The challenge is still each destination's current one — its other items.
    pub const CHALLENGE_CURRENT: &str = "challenge_current";
    /// A new patient's account and phone login (lost to a concurrent signup: a race).
    pub const ACCOUNT: &str = "account";
    pub const LOGIN: &str = "login";
    /// The link is still active and the one signed up through.
    pub const LINK: &str = "link";
    pub const CONTACT: &str = "contact";
    /// The one conversation per (practice, patient, link).
    pub const PAIRING: &str = "pairing";
    pub const INVITE_TOKEN: &str = "invite_token";
    pub const INVITE: &str = "invite";
    pub const CONVERSATION: &str = "conversation";
    pub const PARTICIPANT: &str = "participant";
    /// The standard conversation a `secure-invite` came from (it exists).
    pub const STANDARD_CONVERSATION: &str = "standard_conversation";
}

/// Why a pairing transaction did not commit.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PairingWriteError {
    /// The named slot's condition failed (see [`slots`]).
    #[error("the condition of `{0}` failed")]
    Refused(&'static str),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// A patient signing up for the first time: their account and phone login are created in
/// the pairing transaction.
pub struct NewPatient<'a> {
    pub name: &'a DisplayName,
    pub phone: &'a PhoneNumber,
    pub email: Option<&'a EmailAddress>,
}

/// The contact a link pairing attaches the patient to.
pub enum PairedContact<'a> {
    /// A contact on file (exact match on phone and email) gains the account.
    OnFile(ContactId),
    /// A new contact for the patient.
    New(&'a crate::contacts::Contact),
}

/// Everything a first link pairing writes, besides the access part.
pub struct LinkPairingWrite<'a> {
    pub account: AccountId,
    pub new_patient: Option<NewPatient<'a>>,
    pub org: OrgId,
    pub link: LinkId,
    pub link_code: &'a str,
    pub contact: PairedContact<'a>,
    pub conversation: NewConversationItems<'a>,
}

/// Everything an invite acceptance writes, besides the access part.
pub struct InviteAcceptanceWrite<'a> {
    pub account: AccountId,
    pub new_patient: Option<NewPatient<'a>>,
    pub org: OrgId,
    pub invite: InviteId,
    pub token_hash: &'a str,
    pub contact: ContactId,
    pub conversation: ConversationId,
    /// The standard conversation the invite was made from (`secure-invite`): the two are
    /// pointed at each other in the same transaction.
    pub from_standard: Option<ConversationId>,
    pub participant: &'a ParticipantRef,
    pub row: &'a ParticipantItem,
}

#[async_trait]
pub trait PairingStore: Send + Sync {
    /// The purpose of a one-time-code challenge, if it exists (signup's failure path: did
    /// the challenge want an email code too?).
    async fn challenge_purpose(
        &self,
        challenge: &crate::domain::ids::ChallengeId,
    ) -> Result<Option<String>, StoreError>;

    /// The conversation a patient's earlier signup through this link made, if any.
    async fn link_pairing(
        &self,
        org: &OrgId,
        account: &AccountId,
        link: &LinkId,
    ) -> Result<Option<ConversationId>, StoreError>;

    /// A repeated link signup: the challenge consumed, a new session, the audit item.
    async fn commit_repeat_signup(
        &self,
        access: AccessPart,
        audit: &AuditEvent<'_>,
        now: i64,
    ) -> Result<(), PairingWriteError>;

    /// A first link pairing, in one transaction.
    async fn commit_link_pairing(
        &self,
        access: AccessPart,
        write: LinkPairingWrite<'_>,
        audit: &AuditEvent<'_>,
        now: i64,
    ) -> Result<(), PairingWriteError>;

    /// An invite acceptance, in one transaction.
    async fn commit_invite_acceptance(
        &self,
        access: AccessPart,
        write: InviteAcceptanceWrite<'_>,
        audit: &AuditEvent<'_>,
        now: i64,
    ) -> Result<(), PairingWriteError>;
}
