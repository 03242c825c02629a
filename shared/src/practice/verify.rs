//! Signing in, second half: a proven code → a session. Completes a practice signup
//! ([`super::sign_up`]), a sign-in, or an invited teammate's first sign-in (the claim).
//!
//! Round trips: the code check (`UpdateItem`, see `access::check_code`); for a sign-in, one
//! `GetItem` (account) and, for staff, one `GetItem` (membership); for a claim, one
//! `GetItem` (the invited membership); then one `TransactWriteItems` that consumes the
//! challenge, writes what the flow creates, the session and the audit item.

use super::model::{AccountKind, MemberStatus, StaffInvite};
use super::sign_in::SignInPayload;
use super::sign_up::complete_signup;
use crate::access::audit::AuditEvent;
use crate::access::check_code::{self, CheckError};
use crate::access::codes::{Challenge, CodePurpose};
use crate::access::sessions::Session;
use crate::adapters::dynamo::StoreError;
use crate::domain::contact_info::DisplayName;
use crate::domain::ids::{AccountId, ChallengeId, OrgId};
use crate::domain::role::Role;
use crate::ports::access::ChallengeStore;
use crate::ports::practice::{InviteClaim, SignInRefused, SignInStore, TeamStore};

/// A new session and whose it is.
#[derive(Debug, Clone)]
pub struct SignedIn {
    /// The bearer token (shown once, to this client).
    pub token: String,
    pub account_id: AccountId,
    pub name: DisplayName,
    pub role: Role,
    pub org_id: Option<OrgId>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum VerifyError {
    #[error(transparent)]
    Code(#[from] CheckError),
    /// Practice signup: the owner's email is already a staff login.
    #[error("this email already belongs to a practice's staff")]
    EmailTaken,
    /// Claim: another practice's teammate claimed the email first.
    #[error("this email already signs in to another practice's team")]
    EmailClaimedElsewhere,
    #[error("this account is no longer a member of its practice")]
    NoLongerMember,
    #[error("this invitation is no longer valid")]
    InvitationGone,
    /// The login points at an account that is not there.
    #[error("unknown account")]
    UnknownAccount,
    /// The challenge's payload is not what its flow wrote: a bug.
    #[error("the challenge payload is unreadable")]
    BadPayload,
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl From<SignInRefused> for VerifyError {
    /// The refusals every completion shares; each flow maps its own first.
    fn from(refused: SignInRefused) -> Self {
        match refused {
            SignInRefused::CodeUsed => CheckError::Used.into(),
            SignInRefused::CodeReplaced => CheckError::Replaced.into(),
            SignInRefused::MembershipGone => VerifyError::NoLongerMember,
            SignInRefused::EmailTaken | SignInRefused::NumberTaken | SignInRefused::ReplyTaken => {
                VerifyError::Store(StoreError::Other("unexpected conflict".into()))
            }
            SignInRefused::Store(e) => VerifyError::Store(e),
        }
    }
}

/// Checks the code of `challenge` and completes its flow.
pub async fn verify(
    store: &(impl ChallengeStore + SignInStore + TeamStore),
    pepper: &[u8],
    reply_domain: &str,
    challenge: &ChallengeId,
    code: Option<&str>,
    request_id: &str,
    now: i64,
) -> Result<SignedIn, VerifyError> {
    let purposes = [CodePurpose::OrgSignup, CodePurpose::Login];
    let proven =
        check_code::check(store, pepper, challenge, &purposes, &[("code", code)], now).await?;
    if proven.purpose == CodePurpose::OrgSignup {
        complete_signup(store, &proven, reply_domain, request_id, now).await
    } else {
        complete_sign_in(store, &proven, request_id, now).await
    }
}

async fn complete_sign_in(
    store: &(impl SignInStore + TeamStore),
    challenge: &Challenge,
    request_id: &str,
    now: i64,
) -> Result<SignedIn, VerifyError> {
    let payload: SignInPayload =
        serde_json::from_str(&challenge.payload).map_err(|_| VerifyError::BadPayload)?;
    if let (None, Some(invite)) = (payload.account_id, &payload.claim) {
        return claim_invite(store, challenge, invite, request_id, now).await;
    }
    // A challenge for an unknown address was never delivered, so no code can be right.
    let Some(account_id) = payload.account_id else {
        return Err(CheckError::WrongCode { attempts_left: 0 }.into());
    };
    let account = store
        .account(&account_id)
        .await?
        .ok_or(VerifyError::UnknownAccount)?;
    let (role, org) = match (account.kind, account.org_id) {
        (AccountKind::Staff, Some(org)) => {
            let member = store
                .member(&org, &account_id)
                .await?
                .ok_or(VerifyError::NoLongerMember)?;
            (member.role, Some(org))
        }
        _ => (Role::Patient, None),
    };
    let (token, session) = Session::issue(&account_id, role, org.as_ref(), now);
    let audit = AuditEvent {
        actor: Some(&account_id),
        role: Some(role),
        org: org.as_ref(),
        action: "session.create",
        targets: vec![account_id.to_string()],
        request_id,
        outcome: "ok",
    };
    store.sign_in(challenge, &session, &audit, now).await?;
    Ok(SignedIn {
        token,
        account_id,
        name: account.name,
        role,
        org_id: org,
    })
}

/// An invited teammate's first sign-in: the code proved the email, so the email becomes
/// their staff login (unless another practice's teammate claimed it first), the membership
/// becomes active and the invitation is used up, with the session, in one transaction.
async fn claim_invite(
    store: &(impl SignInStore + TeamStore),
    challenge: &Challenge,
    invite: &StaffInvite,
    request_id: &str,
    now: i64,
) -> Result<SignedIn, VerifyError> {
    let member = store
        .member(&invite.org_id, &invite.account_id)
        .await?
        .filter(|m| m.status == MemberStatus::Invited)
        .ok_or(VerifyError::InvitationGone)?;
    let (account_id, org) = (member.account_id, member.org_id);
    let (token, session) = Session::issue(&account_id, member.role, Some(&org), now);
    let audit = AuditEvent {
        actor: Some(&account_id),
        role: Some(member.role),
        org: Some(&org),
        action: "member.join",
        targets: vec![account_id.to_string()],
        request_id,
        outcome: "ok",
    };
    let claim = InviteClaim {
        challenge,
        member: &member,
        session: &session,
    };
    store
        .claim_invite(&claim, &audit, now)
        .await
        .map_err(|refused| match refused {
            SignInRefused::EmailTaken => VerifyError::EmailClaimedElsewhere,
            SignInRefused::MembershipGone => VerifyError::InvitationGone,
            other => other.into(),
        })?;
    Ok(SignedIn {
        token,
        account_id,
        name: member.name,
        role: member.role,
        org_id: Some(org),
    })
}
