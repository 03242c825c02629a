//! Storage port of the contacts aggregate (see docs/architecture.md). Implemented once, by
//! `adapters::dynamo::contacts`; the use cases in `crate::contacts` take
//! `&impl ContactStore` so they can be unit-tested against an in-memory fake.

use crate::adapters::dynamo::cursor::BadCursor;
use crate::adapters::dynamo::StoreError;
use crate::contacts::{Contact, ContactPage, SearchBy};
use crate::domain::contact_info::{EmailAddress, PhoneNumber};
use crate::domain::ids::{AccountId, ContactId, ConversationId, OrgId};
use crate::services::audit::AuditEvent;
use async_trait::async_trait;

/// Why a search page could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SearchFailure {
    #[error(transparent)]
    BadCursor(#[from] BadCursor),
    #[error(transparent)]
    Store(#[from] StoreError),
}

#[async_trait]
pub trait ContactStore: Send + Sync {
    /// A contact of this practice (consistent read; another practice's id is not found).
    async fn contact(&self, org: &OrgId, id: &ContactId) -> Result<Option<Contact>, StoreError>;

    /// [`ContactStore::contact`], with the read's audit item written concurrently.
    async fn contact_audited(
        &self,
        org: &OrgId,
        id: &ContactId,
        audit: &AuditEvent<'_>,
        now: i64,
    ) -> Result<Option<Contact>, StoreError>;

    /// One page of the practice's contacts whose key starts with `by`, resuming at
    /// `cursor`; the search's audit item is written concurrently.
    async fn search_contacts(
        &self,
        org: &OrgId,
        by: &SearchBy,
        limit: i32,
        cursor: Option<&str>,
        audit: &AuditEvent<'_>,
        now: i64,
    ) -> Result<ContactPage, SearchFailure>;

    /// The practice's contacts with exactly this phone number (at most 25).
    async fn contacts_with_phone(
        &self,
        org: &OrgId,
        phone: &PhoneNumber,
    ) -> Result<Vec<Contact>, StoreError>;

    /// The practice's contacts with exactly this email address (at most 25).
    async fn contacts_with_email(
        &self,
        org: &OrgId,
        email: &EmailAddress,
    ) -> Result<Vec<Contact>, StoreError>;

    /// Stores a new contact with its audit item.
    async fn insert_contact(
        &self,
        contact: &Contact,
        audit: &AuditEvent<'_>,
        now: i64,
    ) -> Result<(), StoreError>;
}

/// A staff confirmation that a link signup's patient is a contact on file (see
/// `contacts::confirm`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdentityConfirmation {
    pub org: OrgId,
    pub conversation: ConversationId,
    /// The patient's account, bound to `contact` by the write.
    pub account: AccountId,
    /// The contact on file the staff member confirmed.
    pub contact: ContactId,
    /// The contact the signup made (the conversation's until now).
    pub signup_contact: ContactId,
}

/// Which condition refused the confirmation.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ConfirmRefused {
    /// No longer an unverified conversation of this practice with that contact.
    #[error("the conversation changed")]
    Conversation,
    /// The contact is gone or bound to another account.
    #[error("the contact changed")]
    Contact,
    #[error(transparent)]
    Store(#[from] StoreError),
}

#[async_trait]
pub trait IdentityStore: Send + Sync {
    /// One transaction: the conversation (still unverified, still with the signup's
    /// contact) becomes verified with `contact`; `contact` gains the account (unless
    /// another has it); the conversation is listed under `contact` and no longer under
    /// the signup's contact; the patient's pairing names `contact`; the audit item.
    async fn confirm_identity(
        &self,
        confirmation: &IdentityConfirmation,
        audit: &AuditEvent<'_>,
        now: i64,
    ) -> Result<(), ConfirmRefused>;
}
