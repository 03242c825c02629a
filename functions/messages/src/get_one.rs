//! `GET /v1/conversations/{id}/messages/{message_id}` →
//! [`canopy_shared::conversations::seen_by`]: the message, who sent it, and who has seen
//! it with the time each reader first reached it.

use crate::view;
use canopy_shared::conversations::seen_by::seen_by;
use canopy_shared::conversations::Context;
use canopy_shared::http::{json, path_id, request::request_id, Caller, HttpResult};
use canopy_shared::App;
use lambda_http::Request;

pub async fn handle(app: &App, req: &Request) -> HttpResult {
    let caller = Caller::from_request(req)?;
    let conversation = path_id(req, "id", "conversation")?;
    let message = path_id(req, "message_id", "message")?;
    let rid = request_id(req);
    let cx = Context {
        caller: &caller,
        request_id: &rid,
        clock: &*app.clock,
        proof: None,
    };
    let found = seen_by(&app.store, &cx, &conversation, &message).await?;
    json(200, &view::seen_by(&found))
}
