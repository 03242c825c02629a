//! `POST /v1/contacts`: parse the body, run [`canopy_shared::contacts::create_contact`],
//! answer 201 with the contact's view.

use canopy_shared::contacts::{create_contact, CreateContact};
use canopy_shared::http::{json, json_body, request::request_id, Caller, HttpResult};
use canopy_shared::App;
use lambda_http::Request;
use serde::Deserialize;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Body {
    name: String,
    phone: Option<String>,
    email: Option<String>,
}

/// The contract allows `null` here (as no value).
impl canopy_shared::http::JsonBody for Body {
    const NULLABLE: &'static [&'static str] = &["phone", "email"];
}

pub async fn handle(app: &App, req: &Request) -> HttpResult {
    let caller = Caller::from_request(req)?;
    // Refused before the body is read, as the contract orders the checks.
    caller.staff_org()?;
    let body: Body = json_body(req)?;
    let request = CreateContact {
        name: body.name,
        phone: body.phone,
        email: body.email,
    };
    let contact =
        create_contact(&app.store, &caller, request, app.now_ms(), &request_id(req)).await?;
    json(201, &contact.view())
}
