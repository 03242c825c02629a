//! `POST /v1/auth/start`: `{email}` (staff) or `{phone}` (patients) → a code if the account
//! exists, the same answer if not (see `canopy_shared::practice::sign_in`). A phone outside
//! the deployment's SMS countries is refused (400) before anything; every start spends the
//! public-send budgets of the client address API Gateway saw (never a header).

use canopy_shared::access::send_budgets::Origin;
use canopy_shared::access::{couriers, pepper};
use canopy_shared::domain::contact_info::{EmailAddress, PhoneNumber};
use canopy_shared::http::request::source_ip;
use canopy_shared::http::{json, json_body, ApiError, HttpResult};
use canopy_shared::practice::model::Login;
use canopy_shared::practice::sign_in::start_sign_in;
use canopy_shared::App;
use lambda_http::Request;
use serde::Deserialize;
use serde_json::json;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Body {
    email: Option<String>,
    phone: Option<String>,
}

impl canopy_shared::http::JsonBody for Body {}

pub async fn handle(app: &App, req: &Request) -> HttpResult {
    let body: Body = json_body(req)?;
    let login = match (body.email.as_deref(), body.phone.as_deref()) {
        (Some(email), None) => Login::StaffEmail(
            EmailAddress::parse(email).map_err(|e| ApiError::invalid("email", e))?,
        ),
        (None, Some(phone)) => {
            let phone = PhoneNumber::parse(phone).map_err(|e| ApiError::invalid("phone", e))?;
            app.settings.send_budgets.check_country(&phone)?;
            Login::PatientPhone(phone)
        }
        _ => {
            return Err(ApiError::invalid(
                "email",
                "give exactly one of email or phone",
            ))
        }
    };
    let challenge = start_sign_in(
        &app.store,
        &couriers(app),
        pepper(app).await?,
        login,
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
