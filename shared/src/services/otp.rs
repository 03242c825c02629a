//! SHIM (issue 9): the string-purpose API of one-time codes for `signup`, until it calls
//! [`crate::access::start_code`] and [`crate::access::check_code`] with
//! [`crate::access::codes::CodePurpose`] and consumes challenges with `Tx`
//! (`adapters::dynamo::access::consume_challenge`).

use crate::access::codes::CodePurpose;
use crate::access::start_code::{CodeRequest, Couriers};
use crate::access::{check_code, pepper, start_code};
use crate::adapters::dynamo::StoreError;
use crate::app::App;
use crate::domain::ids::ChallengeId;

pub use crate::access::check_code::CheckError;
pub use crate::access::codes::{Challenge as ChallengeItem, CodeSlot, Destination, Outgoing};
pub use crate::access::start_code::StartError;
pub use crate::adapters::dynamo::access::legacy::{consume, consume_failure};

fn purpose(text: &str) -> Result<CodePurpose, StoreError> {
    text.parse()
        .map_err(|e: crate::access::codes::UnknownPurpose| StoreError::Other(e.to_string()))
}

/// Starts a challenge (see [`start_code::start`]).
pub async fn start(
    app: &App,
    purpose_text: &str,
    destinations: &[Destination],
    payload: String,
    deliver: bool,
    budgets: Vec<crate::access::rate_limit::Budget>,
    compose: impl Fn(&Destination, &str) -> (String, String) + Sync,
) -> Result<ChallengeId, StartError> {
    let couriers = Couriers {
        sms: app.sms.as_ref(),
        email: app.email.as_ref(),
        compose: &compose,
    };
    let request = CodeRequest {
        purpose: purpose(purpose_text)?,
        destinations,
        payload,
        deliver,
        budgets,
    };
    start_code::start(
        &app.store,
        &couriers,
        pepper(app).await?,
        request,
        app.now_ms(),
    )
    .await
}

/// Checks a challenge's codes (see [`check_code::check`]).
pub async fn check(
    app: &App,
    challenge: &ChallengeId,
    purposes: &[&str],
    codes: &[(&'static str, Option<&str>)],
) -> Result<ChallengeItem, CheckError> {
    let purposes = purposes
        .iter()
        .map(|p| purpose(p))
        .collect::<Result<Vec<_>, _>>()?;
    check_code::check(
        &app.store,
        pepper(app).await?,
        challenge,
        &purposes,
        codes,
        app.now_ms(),
    )
    .await
}
