//! Staff confirm who a link signup is: `POST /v1/conversations/{id}/confirm-identity`
//! `{contact_id}`.
//!
//! A practice link proves only the patient's phone, so a link signup never takes over a
//! contact on file by itself (see `pairing::link`): it gets a contact of its own, and the
//! conversation shows `identity: "unverified"` with `contact_match`. When staff have checked
//! who the patient is (a call, the front desk), they confirm it here: the patient's account
//! is bound to the contact on file, the conversation moves to that contact and shows
//! `identity: "verified"`, and the audit log records who decided it.
//!
//! Round trips: the conversation and the contact, read concurrently, then one
//! TransactWriteItems (conversation, contact, both contacts' conversation listings, the
//! patient's pairing item, the audit item).

use crate::adapters::dynamo::StoreError;
use crate::conversations::{Conversation, ConversationKind, Identity, ParticipantKind};
use crate::domain::caller::{Caller, NotAllowed};
use crate::domain::ids::{AccountId, ContactId, ConversationId};
use crate::ports::contacts::{ConfirmRefused, ContactStore, IdentityConfirmation, IdentityStore};
use crate::ports::conversations::ConversationStore;
use crate::services::audit::AuditEvent;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ConfirmError {
    #[error(transparent)]
    NotAllowed(#[from] NotAllowed),
    #[error("no such conversation")]
    ConversationNotFound,
    #[error("no such contact")]
    ContactNotFound,
    /// Invites prove phone and email; a confirmed identity stays confirmed.
    #[error("This conversation's identity is already verified.")]
    AlreadyVerified,
    /// Only a link signup's secure conversation with its one patient can be confirmed.
    #[error("Only a practice-link signup's conversation has an identity to confirm.")]
    NotALinkSignup,
    /// The contact belongs to another patient's account: merging would hand over a record.
    #[error("That contact already belongs to another patient's account.")]
    ContactHasAccount,
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// What the answer shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Confirmed {
    pub conversation_id: ConversationId,
    pub contact_id: ContactId,
    pub account_id: AccountId,
}

pub async fn confirm_identity(
    store: &(impl ConversationStore + ContactStore + IdentityStore),
    caller: &Caller,
    conversation_id: &ConversationId,
    contact_id: &ContactId,
    request_id: &str,
    now: i64,
) -> Result<Confirmed, ConfirmError> {
    let org = caller.staff_org()?;
    let (conversation, contact) = tokio::join!(
        store.conversation(conversation_id),
        store.contact(&org, contact_id)
    );
    let conversation = conversation?
        .filter(|c| c.org_id == org && c.visible_to(caller))
        .ok_or(ConfirmError::ConversationNotFound)?;
    let contact = contact?.ok_or(ConfirmError::ContactNotFound)?;
    let (patient, signup_contact) = link_signup(&conversation)?;
    if contact.account_id.is_some_and(|a| a != patient) {
        return Err(ConfirmError::ContactHasAccount);
    }
    let confirmation = IdentityConfirmation {
        org,
        conversation: conversation.id,
        account: patient,
        contact: contact.id,
        signup_contact,
    };
    let targets = vec![
        conversation.id.to_string(),
        contact.id.to_string(),
        signup_contact.to_string(),
        patient.to_string(),
    ];
    let audit = AuditEvent {
        actor: Some(&caller.account_id),
        role: Some(caller.role),
        org: caller.org_id.as_ref(),
        action: "conversation.confirm_identity",
        targets,
        request_id,
        outcome: "ok",
    };
    match store.confirm_identity(&confirmation, &audit, now).await {
        Ok(()) => Ok(Confirmed {
            conversation_id: conversation.id,
            contact_id: contact.id,
            account_id: patient,
        }),
        // Confirmed by someone else meanwhile, or the contact was taken meanwhile.
        Err(ConfirmRefused::Conversation) => Err(ConfirmError::AlreadyVerified),
        Err(ConfirmRefused::Contact) => Err(ConfirmError::ContactHasAccount),
        Err(ConfirmRefused::Store(e)) => Err(e.into()),
    }
}

/// The patient and the contact the signup made, for an unverified link conversation.
fn link_signup(c: &Conversation) -> Result<(AccountId, ContactId), ConfirmError> {
    match c.identity {
        Some(Identity::Verified) => return Err(ConfirmError::AlreadyVerified),
        Some(Identity::Unverified) if c.kind == ConversationKind::Secure => {}
        _ => return Err(ConfirmError::NotALinkSignup),
    }
    let mut patients = c
        .participants
        .iter()
        .filter(|p| p.kind == ParticipantKind::Patient);
    let (Some(patient), None) = (patients.next(), patients.next()) else {
        return Err(ConfirmError::NotALinkSignup);
    };
    let signup_contact = *c.contact_ids.first().ok_or(ConfirmError::NotALinkSignup)?;
    Ok((patient.id, signup_contact))
}
