//! `POST /v1/links`: parse the body, run [`canopy_shared::links::create_link`], answer 201
//! with the link's view.

use canopy_shared::domain::ids::AccountId;
use canopy_shared::http::{json, json_body, request::request_id, Caller, HttpResult};
use canopy_shared::links::{create_link, CreateLink};
use canopy_shared::App;
use lambda_http::Request;
use serde::Deserialize;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Body {
    label: String,
    #[serde(default)]
    code: Option<String>,
    #[serde(default)]
    tags: Vec<String>,
    #[serde(default)]
    member_ids: Vec<AccountId>,
}

impl canopy_shared::http::JsonBody for Body {}

pub async fn handle(app: &App, req: &Request) -> HttpResult {
    let caller = Caller::from_request(req)?;
    // Refused before the body is read, as the contract orders the checks.
    caller.managing_org()?;
    let body: Body = json_body(req)?;
    let request = CreateLink {
        label: body.label,
        code: body.code,
        tags: body.tags,
        member_ids: body.member_ids,
    };
    let link = create_link(&app.store, &caller, request, app.now_ms(), &request_id(req)).await?;
    json(201, &link.view(&app.settings.link_base_url))
}
