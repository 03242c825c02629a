//! `POST /v1/members`: an owner or admin adds a teammate, who then signs in with their
//! email (see `canopy_shared::practice::add_member`).

use canopy_shared::domain::contact_info::{DisplayName, EmailAddress};
use canopy_shared::domain::role::Role;
use canopy_shared::http::{json, json_body, request::request_id, ApiError, Caller, HttpResult};
use canopy_shared::practice::add_member::{add_member, NewTeammate};
use canopy_shared::App;
use lambda_http::Request;
use serde::Deserialize;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Body {
    name: String,
    email: String,
    role: String,
}

impl canopy_shared::http::JsonBody for Body {}

pub async fn handle(app: &App, req: &Request) -> HttpResult {
    let caller = Caller::from_request(req)?;
    // Who may add is answered before the body is read, so a caller without the right
    // learns nothing about what a valid body looks like.
    caller.managing_org()?;
    let body: Body = json_body(req)?;
    let new = NewTeammate {
        name: DisplayName::parse_plain(&body.name).map_err(|e| ApiError::invalid("name", e))?,
        email: EmailAddress::parse(&body.email).map_err(|e| ApiError::invalid("email", e))?,
        role: match body.role.as_str() {
            "admin" => Role::Admin,
            "member" => Role::Member,
            _ => return Err(ApiError::invalid("role", "must be \"admin\" or \"member\"")),
        },
    };
    let member = add_member(&app.store, &caller, new, &request_id(req), app.now_ms()).await?;
    json(201, &member)
}
