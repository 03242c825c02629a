//! `POST /v1/auth/verify`: a proven code → a session. Completes a practice signup, a
//! sign-in or an invited teammate's first sign-in (see `canopy_shared::practice::verify`).

use canopy_shared::access::pepper;
use canopy_shared::access::sessions::manage::after_sign_in_logged;
use canopy_shared::domain::ids::ChallengeId;
use canopy_shared::http::request::header;
use canopy_shared::http::{json, json_body, request::request_id, ApiError, HttpResult};
use canopy_shared::practice::verify::verify;
use canopy_shared::App;
use lambda_http::Request;
use serde::Deserialize;
use serde_json::json;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Body {
    challenge_id: String,
    code: Option<String>,
}

impl canopy_shared::http::JsonBody for Body {}

pub async fn handle(app: &App, req: &Request) -> HttpResult {
    let body: Body = json_body(req)?;
    let challenge: ChallengeId = body
        .challenge_id
        .parse()
        .map_err(|_| ApiError::invalid("challenge_id", "not a challenge id"))?;
    let signed_in = verify(
        &app.store,
        pepper(app).await?,
        &app.settings.reply_email_domain,
        &challenge,
        body.code.as_deref(),
        &request_id(req),
        app.now_ms(),
    )
    .await?;
    // A sign-in on a device rotates that device's token (the previous session ends).
    let user_agent = header(req, "user-agent");
    after_sign_in_logged(
        &app.store,
        &signed_in.account_id,
        &signed_in.token,
        user_agent,
    )
    .await;
    json(
        200,
        &json!({
            "token": signed_in.token,
            "account": {
                "id": signed_in.account_id,
                "name": signed_in.name,
                "role": signed_in.role,
                "org_id": signed_in.org_id,
            },
        }),
    )
}
