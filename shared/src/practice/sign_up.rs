//! A practice signs up. Nothing is created until the owner proves the email address with
//! the code we send ([`start_signup`]: the challenge's round trips, see
//! `access::start_code`); completing it (`complete_signup`, called by
//! [`super::verify`]) creates the practice, its owner (account, membership, email login)
//! and the owner's session in one `TransactWriteItems`, which also consumes the code.
//!
//! The practice's channels come with it (see [`super::channels`]): one Query for a few
//! free pool numbers first, then the same transaction takes one number out of the pool
//! and claims the reply address, so a practice never exists half-provisioned and a number
//! never goes to two practices. Round trips: Query + TransactWriteItems (+ one more of
//! each only when another signup took the chosen number first).

use super::channels::reply_address;
use super::model::{Account, Member, MemberStatus, Practice};
use super::verify::{SignedIn, VerifyError};
use crate::access::audit::AuditEvent;
use crate::access::codes::{Challenge, CodePurpose, Destination};
use crate::access::send_budgets::{random_pick, Origin, SendBudgets};
use crate::access::sessions::Session;
use crate::access::start_code::{self, CodeRequest, Couriers, StartError};
use crate::adapters::dynamo::StoreError;
use crate::domain::contact_info::{DisplayName, EmailAddress, PhoneNumber};
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

/// Creates the practice from a verified signup challenge, with its channels.
pub(super) async fn complete_signup(
    store: &impl SignInStore,
    challenge: &Challenge,
    reply_domain: &str,
    request_id: &str,
    now: i64,
) -> Result<SignedIn, VerifyError> {
    let signup: PracticeSignup =
        serde_json::from_str(&challenge.payload).map_err(|_| VerifyError::BadPayload)?;
    let org = OrgId::generate();
    let owner = AccountId::generate();
    let mut practice = Practice {
        id: org,
        name: signup.practice_name,
        owner_count: 1,
        created_at: now,
        sms_number: None,
        reply_email: None,
        unread_reminder_minutes: Some(crate::notifications::model::DEFAULT_REMINDER_MINUTES),
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
    let mut choice = ChannelChoice::new(store.free_sms_numbers(POOL_PAGE).await?);
    let mut refilled = false;
    for attempt in 0..SIGNUP_ATTEMPTS {
        practice.sms_number = choice.number();
        practice.reply_email = reply_address(practice.name.as_str(), &org, reply_domain, attempt);
        let new = NewPractice {
            challenge,
            practice: &practice,
            owner: &account,
            member: &member,
            session: &session,
        };
        match store.create_practice(&new, &audit, now).await {
            Ok(()) => {
                return Ok(SignedIn {
                    token,
                    account_id: owner,
                    name: signup.owner_name,
                    role: Role::Owner,
                    org_id: Some(org),
                })
            }
            Err(SignInRefused::NumberTaken) => {
                choice.taken();
                if choice.is_empty() && !refilled {
                    refilled = true;
                    choice = ChannelChoice::new(store.free_sms_numbers(POOL_PAGE).await?);
                }
            }
            Err(SignInRefused::ReplyTaken) => {}
            Err(SignInRefused::EmailTaken) => return Err(VerifyError::EmailTaken),
            Err(other) => return Err(VerifyError::from(other)),
        }
    }
    Err(StoreError::Conflict.into())
}

/// Free numbers read at once; concurrent signups read the same page in different orders.
const POOL_PAGE: i32 = 10;
/// Bounded: each retry means another signup took the number (or the reply address) first.
const SIGNUP_ATTEMPTS: usize = 12;

/// The free numbers still worth trying, the first one next.
struct ChannelChoice(Vec<PhoneNumber>);

impl ChannelChoice {
    fn new(free: Vec<PhoneNumber>) -> Self {
        Self(free)
    }
    /// The number to try now; None when the pool is empty (the practice is created
    /// without one: see `super::channels`).
    fn number(&self) -> Option<PhoneNumber> {
        self.0.first().cloned()
    }
    fn taken(&mut self) {
        if !self.0.is_empty() {
            self.0.remove(0);
        }
    }
    fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}
