//! `POST /v1/orgs`: a practice signs up (see `canopy_shared::practice::sign_up`); the start
//! spends the public-send budgets of the client address (`access::send_budgets`).

use canopy_shared::access::send_budgets::Origin;
use canopy_shared::access::{couriers, pepper};
use canopy_shared::domain::contact_info::{DisplayName, EmailAddress};
use canopy_shared::http::request::source_ip;
use canopy_shared::http::{json, json_body, ApiError, HttpResult};
use canopy_shared::practice::sign_up::{start_signup, PracticeSignup};
use canopy_shared::App;
use lambda_http::Request;
use serde::Deserialize;
use serde_json::json;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Body {
    practice_name: String,
    owner_name: String,
    owner_email: String,
}

impl canopy_shared::http::JsonBody for Body {}

pub async fn handle(app: &App, req: &Request) -> HttpResult {
    let body: Body = json_body(req)?;
    let signup = PracticeSignup {
        practice_name: DisplayName::parse_plain(&body.practice_name)
            .map_err(|e| ApiError::invalid("practice_name", e))?,
        owner_name: DisplayName::parse_plain(&body.owner_name)
            .map_err(|e| ApiError::invalid("owner_name", e))?,
        owner_email: EmailAddress::parse(&body.owner_email)
            .map_err(|e| ApiError::invalid("owner_email", e))?,
    };
    let challenge = start_signup(
        &app.store,
        &couriers(app),
        pepper(app).await?,
        &signup,
        &app.settings.send_budgets,
        Origin {
            address: source_ip(req).as_deref(),
            link_code: None,
        },
        app.now_ms(),
    )
    .await?;
    json(202, &json!({ "challenge_id": challenge }))
}
