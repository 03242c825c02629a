//! `GET /v1/conversations/{id}` → [`canopy_shared::conversations::show`] (one GetItem, the
//! audit write concurrent). Anyone who may not see the conversation gets 404.

use crate::view;
use canopy_shared::conversations::show::show;
use canopy_shared::conversations::Context;
use canopy_shared::http::{json, path_id, request::request_id, Caller, HttpResult};
use canopy_shared::App;
use lambda_http::Request;

pub async fn handle(app: &App, req: &Request) -> HttpResult {
    let caller = Caller::from_request(req)?;
    let conversation = path_id(req, "id", "conversation")?;
    let rid = request_id(req);
    let cx = Context {
        caller: &caller,
        request_id: &rid,
        clock: &*app.clock,
        proof: None,
    };
    let found = show(&app.store, &cx, &conversation).await?;
    json(200, &view::details(&found, &caller))
}
