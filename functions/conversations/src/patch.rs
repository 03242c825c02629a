//! `PATCH /v1/conversations/{id}` → [`canopy_shared::conversations::change`]: staff change
//! `read_only`, `subject`, `tags` (a GetItem, then one TransactWriteItems).

use crate::view;
use canopy_shared::conversations::change::{change, ChangeInput};
use canopy_shared::conversations::Context;
use canopy_shared::http::{json, json_body, path_id, request::request_id, Caller, HttpResult};
use canopy_shared::App;
use lambda_http::Request;
use serde::Deserialize;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Body {
    #[serde(default)]
    read_only: Option<bool>,
    /// `null` or "" clears the subject.
    #[serde(default, deserialize_with = "present")]
    subject: Option<Option<String>>,
    #[serde(default)]
    tags: Option<Vec<String>>,
}

/// The contract allows `null` here (as no value).
impl canopy_shared::http::JsonBody for Body {
    const NULLABLE: &'static [&'static str] = &["subject"];
}

/// Distinguishes an absent field (None) from `null` (Some(None)).
fn present<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<Option<String>>, D::Error> {
    Ok(Some(Option::deserialize(d)?))
}

pub async fn handle(app: &App, req: &Request) -> HttpResult {
    let caller = Caller::from_request(req)?;
    caller.staff_org()?;
    let conversation = path_id(req, "id", "conversation")?;
    let body: Body = json_body(req)?;
    let input = ChangeInput {
        read_only: body.read_only,
        subject: body.subject,
        tags: body.tags,
    };
    let rid = request_id(req);
    let cx = Context {
        caller: &caller,
        request_id: &rid,
        clock: &*app.clock,
        proof: None,
    };
    let changed = change(&app.store, &cx, &conversation, input).await?;
    json(200, &view::details(&changed, &caller))
}
