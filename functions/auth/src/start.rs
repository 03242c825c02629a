//! `POST /v1/auth/start`: `{email}` (staff) or `{phone}` (patients) → a code, if the account
//! exists. The answer is the same either way, so the endpoint cannot be used to learn who
//! has an account: an unknown address still gets a stored challenge and spends its send
//! budget; only the delivery is skipped.

use crate::PURPOSE_LOGIN;
use canopy_shared::adapters::dynamo::keys;
use canopy_shared::domain::contact_info::{EmailAddress, PhoneNumber};
use canopy_shared::domain::ids::AccountId;
use canopy_shared::http::{json, json_body, ApiError, HttpResult};
use canopy_shared::practice::{get_login, staff_invites, StaffInviteItem};
use canopy_shared::services::otp::{self, Destination};
use canopy_shared::{texts, App};
use lambda_http::Request;
use serde::{Deserialize, Serialize};
use serde_json::json;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Body {
    email: Option<String>,
    phone: Option<String>,
}

/// Stored with the challenge: whom a correct code signs in (None: nobody).
#[derive(Serialize, Deserialize)]
pub struct Login {
    pub account_id: Option<AccountId>,
    /// An invited teammate's first sign-in: the code proves the email, and verify claims it.
    #[serde(default)]
    pub claim: Option<StaffInviteItem>,
}

pub async fn handle(app: &App, req: &Request) -> HttpResult {
    let body: Body = json_body(req)?;
    let (destination, login_pk) = match (body.email.as_deref(), body.phone.as_deref()) {
        (Some(email), None) => {
            let email = EmailAddress::parse(email).map_err(|e| ApiError::invalid("email", e))?;
            let pk = keys::staff_email_login_pk(&email);
            (Destination::Email(email), pk)
        }
        (None, Some(phone)) => {
            let phone = PhoneNumber::parse(phone).map_err(|e| ApiError::invalid("phone", e))?;
            let pk = keys::patient_phone_login_pk(&phone);
            (Destination::Sms(phone), pk)
        }
        _ => {
            return Err(ApiError::invalid(
                "email",
                "give exactly one of email or phone",
            ))
        }
    };
    let account_id = get_login(app, login_pk).await?.map(|l| l.account_id);
    // No staff login yet: the newest practice that invited this email, if any.
    let claim = match (&account_id, &destination) {
        (None, Destination::Email(email)) => staff_invites(app, email)
            .await?
            .into_iter()
            .max_by_key(|i| i.created_at),
        _ => None,
    };
    let deliver = account_id.is_some() || claim.is_some();
    let payload =
        serde_json::to_string(&Login { account_id, claim }).map_err(|_| ApiError::internal())?;
    let started = otp::start(
        app,
        PURPOSE_LOGIN,
        &[destination],
        payload,
        deliver,
        texts::code_for,
    )
    .await;
    let challenge = match started {
        Ok(challenge) => challenge,
        // Only known accounts get a delivery, so a delivery failure must not change the
        // answer (a 409 opted-out or a 503 would tell a prober the account exists). The
        // person simply gets no code and can ask again.
        Err(otp::StartError::Undeliverable { challenge, reason }) => {
            tracing::warn!(reason = %reason, "sign-in code not delivered");
            challenge
        }
        Err(other) => return Err(other.into()),
    };
    json(202, &json!({ "challenge_id": challenge }))
}
