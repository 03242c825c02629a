//! Signing in, first half: `{email}` (staff) or `{phone}` (patients) → a code, if the
//! account exists. The answer is the same either way, so it cannot be used to learn who has
//! an account: an unknown address still gets a stored challenge and spends its send
//! budget; only the delivery is skipped, and a failed delivery does not change the answer.
//! An email without a staff login but with a pending invitation gets a code that claims the
//! newest invitation (see [`super::verify`]). Known or not, the start spends the public-send
//! budgets of its origin (`access::send_budgets`) and its codes go through the same delivery
//! (to the sink when nobody would receive them), so neither the answer nor its timing
//! tells whether the account exists.
//!
//! Round trips: one consistent `GetItem` (the login alias), for an email issued together
//! with one consistent `Query` (pending invitations), known address or not; then the
//! challenge's `BatchGetItem` and `TransactWriteItems`.

use super::model::{Login, StaffInvite};
use crate::access::codes::{CodePurpose, Destination};
use crate::access::send_budgets::{random_pick, Origin, SendBudgets};
use crate::access::start_code::{self, CodeRequest, Couriers, StartError};
use crate::adapters::dynamo::StoreError;
use crate::domain::ids::{AccountId, ChallengeId};
use crate::ports::access::ChallengeStore;
use crate::ports::practice::{SignInStore, TeamStore};
use serde::{Deserialize, Serialize};

/// Stored with the challenge: whom a correct code signs in (None: nobody).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SignInPayload {
    pub account_id: Option<AccountId>,
    /// An invited teammate's first sign-in: the code proves the email, and verify claims it.
    #[serde(default)]
    pub claim: Option<StaffInvite>,
}

pub async fn start_sign_in(
    store: &(impl TeamStore + SignInStore + ChallengeStore),
    couriers: &Couriers<'_>,
    pepper: &[u8],
    login: Login,
    budgets: &SendBudgets,
    origin: Origin<'_>,
    now: i64,
) -> Result<ChallengeId, StartError> {
    let (account_id, destination, claim) = match login {
        Login::StaffEmail(email) => {
            // The login and the pending invitations are read together, whether or not the
            // login exists: reading the invitations only after a miss would cost unknown
            // addresses one more round trip, a timing difference a prober could measure.
            let login = Login::StaffEmail(email.clone());
            let (account_id, invites) =
                tokio::join!(store.account_for(&login), store.staff_invites(&email));
            let (account_id, invites) = (account_id?, invites?);
            // No staff login yet: the newest practice that invited this email, if any.
            let claim = match account_id {
                None => invites.into_iter().max_by_key(|i| i.created_at),
                Some(_) => None,
            };
            (account_id, Destination::Email(email), claim)
        }
        Login::PatientPhone(phone) => {
            let account_id = store
                .account_for(&Login::PatientPhone(phone.clone()))
                .await?;
            (account_id, Destination::Sms(phone), None)
        }
    };
    let deliver = account_id.is_some() || claim.is_some();
    let payload = serde_json::to_string(&SignInPayload { account_id, claim })
        .map_err(|e| StoreError::Corrupt(e.to_string()))?;
    let request = CodeRequest {
        purpose: CodePurpose::Login,
        destinations: std::slice::from_ref(&destination),
        payload,
        deliver,
        budgets: budgets.budgets(origin, std::slice::from_ref(&destination), random_pick()),
    };
    match start_code::start(store, couriers, pepper, request, now).await {
        Ok(challenge) => Ok(challenge),
        // Only known accounts get a delivery, so a delivery failure must not change the
        // answer (a 409 opted-out or a 503 would tell a prober the account exists). The
        // person simply gets no code and can ask again.
        Err(StartError::Undeliverable { challenge, reason }) => {
            tracing::warn!(reason = %reason, "sign-in code not delivered");
            Ok(challenge)
        }
        Err(other) => Err(other),
    }
}
