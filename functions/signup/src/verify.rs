//! `POST /v1/signup/verify`: `{challenge_id, sms_code, email_code?}` → 200
//! `{token, account: {id, name, phone}, org_id, conversation_id}`.
//!
//! Retrying: the challenge is single use, so the same challenge again answers 409
//! `code_used` (no second anything). A patient who starts over after a lost answer gets a
//! fresh challenge, and pairing through the same link finds its first conversation (the
//! pairing item `PAIRING#org#acct#link`), so a retry never makes a second conversation.

use crate::start::Signup;
use crate::{pairing, PURPOSE_INVITE_BOTH, PURPOSE_INVITE_SMS, PURPOSE_LINK};
use canopy_shared::adapters::dynamo::{self, keys, StoreError};
use canopy_shared::domain::ids::ChallengeId;
use canopy_shared::http::{json_body, request::request_id, ApiError, HttpResult};
use canopy_shared::services::otp::{self, ChallengeItem, CheckError};
use canopy_shared::App;
use lambda_http::Request;
use serde::Deserialize;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Body {
    challenge_id: String,
    sms_code: Option<String>,
    email_code: Option<String>,
}

pub async fn handle(app: &App, req: &Request) -> HttpResult {
    let body: Body = json_body(req)?;
    let challenge: ChallengeId = body
        .challenge_id
        .parse()
        .map_err(|_| ApiError::invalid("challenge_id", "not a challenge id"))?;
    let item = check(app, &challenge, &body).await?;
    let signup: Signup = serde_json::from_str(&item.payload).map_err(|_| ApiError::internal())?;
    let request_id = request_id(req);
    pairing::pair(app, &item, &signup, &request_id).await
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
    let out = app
        .db
        .get_item()
        .table_name(app.table())
        .set_key(Some(dynamo::key(
            keys::challenge_pk(challenge),
            keys::CHALLENGE_SK,
        )))
        .projection_expression("#purpose")
        .expression_attribute_names("#purpose", "purpose")
        .send()
        .await?;
    Ok(out.item.as_ref().and_then(|i| dynamo::get_s(i, "purpose")) == Some(PURPOSE_INVITE_BOTH))
}
