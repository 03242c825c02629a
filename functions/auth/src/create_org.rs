//! `POST /v1/orgs`: a practice signs up. Nothing is created until the owner proves the
//! email address with the code we send; `verify` then creates the practice, its owner and
//! the owner's session in one transaction.

use crate::PURPOSE_ORG_SIGNUP;
use canopy_shared::domain::contact_info::{DisplayName, EmailAddress};
use canopy_shared::http::{json, json_body, ApiError, HttpResult};
use canopy_shared::services::otp::{self, Destination};
use canopy_shared::{texts, App};
use lambda_http::Request;
use serde::{Deserialize, Serialize};
use serde_json::json;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Body {
    practice_name: String,
    owner_name: String,
    owner_email: String,
}

/// What `verify` needs once the code is proven.
#[derive(Serialize, Deserialize)]
pub struct OrgSignup {
    pub practice_name: DisplayName,
    pub owner_name: DisplayName,
    pub owner_email: EmailAddress,
}

pub async fn handle(app: &App, req: &Request) -> HttpResult {
    let body: Body = json_body(req)?;
    let signup = OrgSignup {
        practice_name: DisplayName::parse(&body.practice_name)
            .map_err(|e| ApiError::invalid("practice_name", e))?,
        owner_name: DisplayName::parse(&body.owner_name)
            .map_err(|e| ApiError::invalid("owner_name", e))?,
        owner_email: EmailAddress::parse(&body.owner_email)
            .map_err(|e| ApiError::invalid("owner_email", e))?,
    };
    let payload = serde_json::to_string(&signup).map_err(|_| ApiError::internal())?;
    let destination = Destination::Email(signup.owner_email.clone());
    let challenge = otp::start(
        app,
        PURPOSE_ORG_SIGNUP,
        &[destination],
        payload,
        true,
        texts::code_for,
    )
    .await?;
    json(202, &json!({ "challenge_id": challenge }))
}
