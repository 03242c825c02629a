//! Storage ports of the practice aggregate (practices, staff, accounts; see
//! docs/architecture.md). Implemented once, by `adapters::dynamo::practice`.
//!
//! Each write is one transaction in the adapter and reports a refusal in the domain's
//! terms (which condition failed), never an item index.

use crate::access::audit::AuditEvent;
use crate::access::codes::Challenge;
use crate::access::sessions::Session;
use crate::adapters::dynamo::StoreError;
use crate::domain::contact_info::{EmailAddress, PhoneNumber};
use crate::domain::ids::{AccountId, OrgId};
use crate::practice::model::{Account, LinkAccess, Login, Member, Practice, StaffInvite};
use async_trait::async_trait;

/// The team of a practice: what the members routes and the authorizer read and change.
#[async_trait]
pub trait TeamStore: Send + Sync {
    async fn practice(&self, org: &OrgId) -> Result<Option<Practice>, StoreError>;

    /// One member (a consistent read: a removal is seen at once).
    async fn member(&self, org: &OrgId, account: &AccountId) -> Result<Option<Member>, StoreError>;

    /// Every member of a practice (tens of staff: every page is read).
    async fn members(&self, org: &OrgId) -> Result<Vec<Member>, StoreError>;

    /// Which members each of the practice's links admits.
    async fn link_access(&self, org: &OrgId) -> Result<Vec<LinkAccess>, StoreError>;

    /// The account that signs in with `login`, if any (a consistent read).
    async fn account_for(&self, login: &Login) -> Result<Option<AccountId>, StoreError>;

    /// Writes an invited member, their staff account and the practice's invitation of their
    /// email, with `audit`, in one transaction.
    async fn add_member(
        &self,
        member: &Member,
        account: &Account,
        audit: &AuditEvent<'_>,
        now: i64,
    ) -> Result<(), AddMemberRefused>;

    /// Changes the practice's name and/or reminder setting, with `audit`, in one
    /// transaction; `Ok(false)` when the practice is not there.
    async fn change_practice(
        &self,
        org: &OrgId,
        change: &PracticeChange,
        audit: &AuditEvent<'_>,
        now: i64,
    ) -> Result<bool, StoreError>;

    /// Deletes `member` (as read: same role) and their login or invitation, decrementing
    /// the owner count when they are an owner, with `audit`, in one transaction.
    async fn remove_member(
        &self,
        member: &Member,
        audit: &AuditEvent<'_>,
        now: i64,
    ) -> Result<(), RemoveMemberRefused>;
}

/// A change of the practice's own fields (`PATCH /v1/org`); `None` leaves one unchanged.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PracticeChange {
    pub name: Option<crate::domain::contact_info::DisplayName>,
    /// `Some(None)`: never remind.
    pub unread_reminder_minutes: Option<Option<u32>>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AddMemberRefused {
    /// The practice already has a pending invitation of this email.
    #[error("already invited")]
    AlreadyInvited,
    #[error(transparent)]
    Store(#[from] StoreError),
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RemoveMemberRefused {
    /// The member (or their login) changed or went since it was read.
    #[error("member gone")]
    Gone,
    /// They are the practice's last owner.
    #[error("last owner")]
    LastOwner,
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// A practice signup proven by its code: everything it creates.
pub struct NewPractice<'a> {
    pub challenge: &'a Challenge,
    pub practice: &'a Practice,
    pub owner: &'a Account,
    pub member: &'a Member,
    pub session: &'a Session,
}

/// An invited teammate's first sign-in: their invited membership and new session.
pub struct InviteClaim<'a> {
    pub challenge: &'a Challenge,
    pub member: &'a Member,
    pub session: &'a Session,
}

/// Signing in and signing up: each completion consumes its challenge, creates a session
/// and writes its audit item in one transaction.
#[async_trait]
pub trait SignInStore: Send + Sync {
    async fn account(&self, id: &AccountId) -> Result<Option<Account>, StoreError>;

    /// The practices that invited this email and wait for it to be claimed.
    async fn staff_invites(&self, email: &EmailAddress) -> Result<Vec<StaffInvite>, StoreError>;

    /// Up to `limit` free numbers of the pool (one Query). One may be taken by another
    /// practice before this one's transaction, which then refuses with
    /// [`SignInRefused::NumberTaken`].
    async fn free_sms_numbers(&self, limit: i32) -> Result<Vec<PhoneNumber>, StoreError>;

    /// Creates the practice, its owner's account, membership and email login, and takes
    /// its SMS number out of the pool and its reply address (when it has them).
    async fn create_practice(
        &self,
        new: &NewPractice<'_>,
        audit: &AuditEvent<'_>,
        now: i64,
    ) -> Result<(), SignInRefused>;

    /// A sign-in of an existing account; a staff session requires the membership to still
    /// exist.
    async fn sign_in(
        &self,
        challenge: &Challenge,
        session: &Session,
        audit: &AuditEvent<'_>,
        now: i64,
    ) -> Result<(), SignInRefused>;

    /// Makes the email the teammate's login, activates the membership and uses up the
    /// invitation.
    async fn claim_invite(
        &self,
        claim: &InviteClaim<'_>,
        audit: &AuditEvent<'_>,
        now: i64,
    ) -> Result<(), SignInRefused>;
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SignInRefused {
    /// The challenge was consumed (or expired) meanwhile.
    #[error("code already used")]
    CodeUsed,
    /// A newer code was sent to one of its destinations.
    #[error("code replaced")]
    CodeReplaced,
    /// The email is already someone's staff login.
    #[error("email taken")]
    EmailTaken,
    /// The membership (or invitation) this sign-in relies on is gone.
    #[error("membership gone")]
    MembershipGone,
    /// Practice signup: another practice took the chosen pool number first.
    #[error("number taken")]
    NumberTaken,
    /// Practice signup: the chosen reply address belongs to another practice.
    #[error("reply address taken")]
    ReplyTaken,
    #[error(transparent)]
    Store(#[from] StoreError),
}
