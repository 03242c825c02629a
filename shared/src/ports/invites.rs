//! Storage port of the invites aggregate (see docs/architecture.md): invite creation,
//! resend, the token a click or a signup presents, and the send results. Implemented once,
//! by `adapters::dynamo::invites`; the use cases in `crate::invites` take
//! `&impl InviteStore` so they can be unit-tested against an in-memory fake.

use crate::adapters::dynamo::StoreError;
use crate::contacts::Contact;
use crate::conversations::{ConversationItem, ParticipantItem};
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
