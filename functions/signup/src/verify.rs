//! `POST /v1/signup/verify`: `{challenge_id, sms_code, email_code?}` → 200
//! `{token, account: {id, name, phone}, org_id, conversation_id}`.
//!
//! Checks the codes, then runs the pairing use case the signup came through:
//! [`canopy_shared::pairing::pair_through_link`] or
//! [`canopy_shared::pairing::accept_invite`].
//!
//! Retrying: the challenge is single use, so the same challenge again answers 409
//! `code_used` (no second anything). A patient who starts over after a lost answer gets a
//! fresh challenge, and pairing through the same link finds its first conversation (the
//! pairing item `PAIRING#org#acct#link`), so a retry never makes a second conversation.

use crate::{PURPOSE_INVITE_BOTH, PURPOSE_INVITE_SMS, PURPOSE_LINK};
use canopy_shared::adapters::dynamo::StoreError;
use canopy_shared::domain::ids::ChallengeId;
use canopy_shared::http::{json, json_body, request::request_id, ApiError, HttpResult};
use canopy_shared::pairing::{accept_invite, pair_through_link, Paired, Signup, Via};
use canopy_shared::ports::invites::PairingStore;
use canopy_shared::services::otp::{self, ChallengeItem, CheckError};
use canopy_shared::App;
use lambda_http::Request;
use serde::Deserialize;
use serde_json::json;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Body {
    challenge_id: String,
    sms_code: Option<String>,
    email_code: Option<String>,
}

impl canopy_shared::http::JsonBody for Body {}

pub async fn handle(app: &App, req: &Request) -> HttpResult {
    let body: Body = json_body(req)?;
    let challenge: ChallengeId = body
        .challenge_id
        .parse()
        .map_err(|_| ApiError::invalid("challenge_id", "not a challenge id"))?;
    let item = check(app, &challenge, &body).await?;
    let signup: Signup = serde_json::from_str(&item.payload).map_err(|_| ApiError::internal())?;
    let request_id = request_id(req);
    let paired = match signup.via {
        Via::Link { .. } => pair_through_link(app, &item, &signup, &request_id).await?,
        Via::Invite { .. } => accept_invite(app, &item, &signup, &request_id).await?,
    };
    // A sign-in on a device rotates that device's token (the previous session ends).
    let user_agent = canopy_shared::http::request::header(req, "user-agent");
    canopy_shared::access::sessions::manage::after_sign_in_logged(
        &app.store,
        &paired.account_id,
        &paired.token,
        user_agent,
    )
    .await;
    answer(&paired, &signup)
}

fn answer(paired: &Paired, signup: &Signup) -> HttpResult {
    json(
        200,
        &json!({
            "token": paired.token,
            "account": {
                "id": paired.account_id,
                "name": paired.name,
                "phone": signup.phone.as_str(),
            },
            "org_id": paired.org_id,
            "conversation_id": paired.conversation_id,
        }),
    )
}

/// Checks the codes against the challenge kind they belong to. The purposes in the check's
/// condition keep a request with too few codes from spending an attempt.
async fn check(app: &App, challenge: &ChallengeId, body: &Body) -> Result<ChallengeItem, ApiError> {
    let sms = ("sms_code", body.sms_code.as_deref());
    let single = [PURPOSE_LINK, PURPOSE_INVITE_SMS];
    if let Some(email) = body.email_code.as_deref() {
        match otp::check(
            app,
            challenge,
            &[PURPOSE_INVITE_BOTH],
            &[sms, ("email_code", Some(email))],
        )
        .await
        {
            // Not a two-code challenge: the email code was not needed.
            Err(CheckError::NotFound) => Ok(otp::check(app, challenge, &single, &[sms]).await?),
            other => Ok(other?),
        }
    } else {
        match otp::check(app, challenge, &single, &[sms]).await {
            Err(CheckError::NotFound) if needs_email(app, challenge).await? => {
                Err(ApiError::invalid(
                    "email_code",
                    "required: the invite's email address was sent a code too",
                ))
            }
            other => Ok(other?),
        }
    }
}

/// Whether the challenge exists and wants an email code too (failure path only).
async fn needs_email(app: &App, challenge: &ChallengeId) -> Result<bool, StoreError> {
    let purpose = app.store.challenge_purpose(challenge).await?;
    Ok(purpose.as_deref() == Some(PURPOSE_INVITE_BOTH))
}
