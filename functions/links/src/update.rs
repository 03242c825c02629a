//! `PATCH /v1/links/{id}`: parse the body, run [`canopy_shared::links::update_link`],
//! answer with the link's view (`{}` changes nothing).

use canopy_shared::domain::ids::{AccountId, LinkId};
use canopy_shared::http::{json, json_body, path_id, request::request_id, Caller, HttpResult};
use canopy_shared::links::{update_link, LinkPatch};
use canopy_shared::App;
use lambda_http::Request;
use serde::Deserialize;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Body {
    #[serde(default)]
    label: Option<String>,
    #[serde(default)]
    tags: Option<Vec<String>>,
    #[serde(default)]
    member_ids: Option<Vec<AccountId>>,
    #[serde(default)]
    active: Option<bool>,
}

impl canopy_shared::http::JsonBody for Body {}

pub async fn handle(app: &App, req: &Request) -> HttpResult {
    let caller = Caller::from_request(req)?;
    // Refused before the path and body are read, as the contract orders the checks.
    caller.managing_org()?;
    let id: LinkId = path_id(req, "id", "link")?;
    let body: Body = json_body(req)?;
    let patch = LinkPatch {
        label: body.label,
        tags: body.tags,
        member_ids: body.member_ids,
        active: body.active,
    };
    let link = update_link(
        &app.store,
        &caller,
        &id,
        patch,
        app.now_ms(),
        &request_id(req),
    )
    .await?;
    json(200, &link.view(&app.settings.link_base_url))
}
