//! Invite acceptance: a patient who proved every destination on an invite joins the
//! invite's pending conversation, which becomes active (identity `verified`); the invite
//! and its token are marked accepted, the contact gains the account. An invite made by
//! `secure-invite` from a standard conversation (the pending conversation's
//! `invited_from`) also points the two conversations at each other.
//!
//! Round trips: 1 round of concurrent reads (login, token, conversation GetItems) [+ 1
//! GetItem account when it exists], then 1 TransactWriteItems (the pointers included: the
//! standard conversation's id comes from the pending conversation already read).

use super::link::{new_patient_items, participant};
use super::{
    existing_account, login_of, new_patient, patient_audit, Paired, Signup, Via, ATTEMPTS,
};
use crate::adapters::dynamo::conversations::{ConversationItem, ParticipantItem};
use crate::adapters::dynamo::invites::access_part;
use crate::adapters::dynamo::StoreError;
use crate::app::App;
use crate::conversations::{ConversationState, Identity};
use crate::domain::role::Role;
use crate::invites::TokenState;
use crate::ports::conversations::ConversationStore;
use crate::ports::invites::{
    slots, InviteAcceptanceWrite, InviteStore, PairingStore, PairingWriteError,
};
use crate::services::otp::{self, ChallengeItem, CheckError};
use crate::services::sessions;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AcceptInviteError {
    /// The challenge was used or replaced meanwhile.
    #[error(transparent)]
    Challenge(#[from] CheckError),
    /// Expired, already used, or replaced by a resend.
    #[error("the invite has expired or was already used")]
    InviteGone,
    /// The invite's contact belongs to another account.
    #[error("the invite's contact already has another account")]
    ContactTaken,
    /// The challenge's payload is not an invite signup (a bug).
    #[error("not an invite signup")]
    NotAnInviteSignup,
    #[error(transparent)]
    Store(#[from] StoreError),
}

pub async fn accept_invite(
    app: &App,
    challenge: &ChallengeItem,
    signup: &Signup,
    request_id: &str,
) -> Result<Paired, AcceptInviteError> {
    for _ in 0..ATTEMPTS {
        if let Some(paired) = attempt(app, challenge, signup, request_id).await? {
            return Ok(paired);
        }
    }
    Err(StoreError::Conflict.into())
}

/// One attempt: `None` when it lost a race with a concurrent signup (try again).
async fn attempt(
    app: &App,
    challenge: &ChallengeItem,
    signup: &Signup,
    request_id: &str,
) -> Result<Option<Paired>, AcceptInviteError> {
    let Via::Invite {
        org_id,
        invite_id,
        token_hash,
        contact_id,
        conversation_id,
    } = &signup.via
    else {
        return Err(AcceptInviteError::NotAnInviteSignup);
    };
    let (login, token, meta) = tokio::join!(
        login_of(app, signup),
        app.store.token(token_hash),
        ConversationStore::conversation(&app.store, conversation_id)
    );
    let now = app.now_ms();
    token?
        .filter(|t| t.state(now) == TokenState::Usable)
        .ok_or(AcceptInviteError::InviteGone)?;
    let meta = meta?
        .as_ref()
        .map(ConversationItem::from_model)
        .filter(|m| m.state == ConversationState::PendingAccount)
        .ok_or(AcceptInviteError::InviteGone)?;
    let patient = match login? {
        Some(id) => existing_account(app, id).await?,
        None => new_patient(signup),
    };
    let who = participant(&patient);
    let from_standard = meta.invited_from;
    let mut active = meta;
    active.state = ConversationState::Active;
    active.identity = Some(Identity::Verified);
    active.participants.push(who.clone());
    active.participant_ids.push(patient.id);
    let row = ParticipantItem::for_conversation(&active, &who, now);
    let (token, session) = sessions::issue(app, &patient.id, Role::Patient, None)?;
    let access = access_part(otp::consume(app, challenge)?, session);
    let write = InviteAcceptanceWrite {
        account: patient.id,
        new_patient: new_patient_items(&patient, signup),
        org: *org_id,
        invite: *invite_id,
        token_hash,
        contact: *contact_id,
        conversation: *conversation_id,
        from_standard,
        participant: &who,
        row: &row,
    };
    let targets = vec![
        patient.id.to_string(),
        invite_id.to_string(),
        conversation_id.to_string(),
        contact_id.to_string(),
    ];
    let audit = patient_audit(
        &patient.id,
        org_id,
        "signup.accept_invite",
        targets,
        request_id,
    );
    match app
        .store
        .commit_invite_acceptance(access, write, &audit, now)
        .await
    {
        Ok(()) => Ok(Some(Paired {
            token,
            account_id: patient.id,
            name: patient.name.clone(),
            org_id: *org_id,
            conversation_id: *conversation_id,
        })),
        Err(e) => match refusal(e) {
            Some(err) => Err(err),
            None => Ok(None),
        },
    }
}

/// What a failed acceptance means; `None`: a lost race (try again).
fn refusal(err: PairingWriteError) -> Option<AcceptInviteError> {
    match err {
        PairingWriteError::Refused(slots::CHALLENGE) => Some(CheckError::Used.into()),
        PairingWriteError::Refused(slots::CHALLENGE_CURRENT) => Some(CheckError::Replaced.into()),
        PairingWriteError::Refused(
            slots::INVITE_TOKEN | slots::INVITE | slots::CONVERSATION | slots::PARTICIPANT,
        ) => Some(AcceptInviteError::InviteGone),
        PairingWriteError::Refused(slots::CONTACT) => Some(AcceptInviteError::ContactTaken),
        PairingWriteError::Refused(slots::ACCOUNT | slots::LOGIN)
        | PairingWriteError::Store(StoreError::Conflict) => None,
        PairingWriteError::Refused(slot) => Some(AcceptInviteError::Store(StoreError::Other(
            format!("{slot}: unexpected condition failure"),
        ))),
        PairingWriteError::Store(e) => Some(e.into()),
    }
}
