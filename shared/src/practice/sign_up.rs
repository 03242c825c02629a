//! A practice signs up. Nothing is created until the owner proves the email address with
//! the code we send ([`start_signup`]: the challenge's round trips, see
//! `access::start_code`); completing it (`complete_signup`, called by
//! [`super::verify`]) creates the practice, its owner (account, membership, email login)
//! and the owner's session in one `TransactWriteItems`, which also consumes the code.

use super::model::{Account, Member, MemberStatus, Practice};
use super::verify::{SignedIn, VerifyError};
use crate::access::audit::AuditEvent;
use crate::access::codes::{Challenge, CodePurpose, Destination};
use crate::access::send_budgets::{random_pick, Origin, SendBudgets};
use crate::access::sessions::Session;
use crate::access::start_code::{self, CodeRequest, Couriers, StartError};
use crate::adapters::dynamo::StoreError;
use crate::domain::contact_info::{DisplayName, EmailAddress};
use crate::domain::ids::{AccountId, ChallengeId, OrgId};
use crate::domain::role::Role;
use crate::ports::access::ChallengeStore;
use crate::ports::practice::{NewPractice, SignInRefused, SignInStore};
use serde::{Deserialize, Serialize};

/// What the signup form gave; kept in the challenge until the code is proven.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PracticeSignup {
    pub practice_name: DisplayName,
    pub owner_name: DisplayName,
    pub owner_email: EmailAddress,
}

/// Sends the owner's email a code; the challenge id for the client.
pub async fn start_signup(
    store: &impl ChallengeStore,
    couriers: &Couriers<'_>,
    pepper: &[u8],
    signup: &PracticeSignup,
    budgets: &SendBudgets,
    origin: Origin<'_>,
    now: i64,
) -> Result<ChallengeId, StartError> {
    let payload = serde_json::to_string(signup).map_err(|e| StoreError::Corrupt(e.to_string()))?;
    let destinations = [Destination::Email(signup.owner_email.clone())];
    let request = CodeRequest {
        purpose: CodePurpose::OrgSignup,
        destinations: &destinations,
        payload,
        deliver: true,
        budgets: budgets.budgets(origin, &destinations, random_pick()),
    };
    start_code::start(store, couriers, pepper, request, now).await
}

/// Creates the practice from a verified signup challenge.
pub(super) async fn complete_signup(
    store: &impl SignInStore,
    challenge: &Challenge,
    request_id: &str,
    now: i64,
) -> Result<SignedIn, VerifyError> {
    let signup: PracticeSignup =
        serde_json::from_str(&challenge.payload).map_err(|_| VerifyError::BadPayload)?;
    let org = OrgId::generate();
    let owner = AccountId::generate();
    let practice = Practice {
        id: org,
        name: signup.practice_name,
        owner_count: 1,
        created_at: now,
    };
    let account = Account::staff(
        owner,
        org,
        signup.owner_name.clone(),
        signup.owner_email.clone(),
        now,
    );
    let member = Member {
        account_id: owner,
        org_id: org,
        name: signup.owner_name.clone(),
        email: signup.owner_email,
        role: Role::Owner,
        status: MemberStatus::Active,
        created_at: now,
    };
    let (token, session) = Session::issue(&owner, Role::Owner, Some(&org), now);
    let audit = AuditEvent {
        actor: Some(&owner),
        role: Some(Role::Owner),
        org: Some(&org),
        action: "org.create",
        targets: vec![org.to_string(), owner.to_string()],
        request_id,
        outcome: "ok",
    };
    let new = NewPractice {
        challenge,
        practice: &practice,
        owner: &account,
        member: &member,
        session: &session,
    };
    store
        .create_practice(&new, &audit, now)
        .await
        .map_err(|refused| match refused {
            SignInRefused::EmailTaken => VerifyError::EmailTaken,
            other => VerifyError::from(other),
        })?;
    Ok(SignedIn {
        token,
        account_id: owner,
        name: signup.owner_name,
        role: Role::Owner,
        org_id: Some(org),
    })
}
