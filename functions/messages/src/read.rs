//! `POST /v1/conversations/{id}/read` → [`canopy_shared::conversations::mark_read`] (one
//! TransactWriteItems when the message is the newest).

use canopy_shared::conversations::mark_read::mark_read;
use canopy_shared::conversations::Context;
use canopy_shared::domain::ids::MessageId;
use canopy_shared::http::{json, json_body, path_id, request::request_id, Caller, HttpResult};
use canopy_shared::App;
use lambda_http::Request;
use serde::Deserialize;
use serde_json::json;

#[derive(Deserialize)]
struct Body {
    message_id: MessageId,
}

impl canopy_shared::http::JsonBody for Body {}

pub async fn handle(app: &App, req: &Request) -> HttpResult {
    let caller = Caller::from_request(req)?;
    let conversation = path_id(req, "id", "conversation")?;
    let body: Body = json_body(req)?;
    let rid = request_id(req);
    let cx = Context {
        caller: &caller,
        request_id: &rid,
        clock: &*app.clock,
    };
    let horizon = mark_read(&app.store, &cx, &conversation, body.message_id).await?;
    json(
        200,
        &json!({
            "last_read_message_id": horizon.last_read_message_id,
            "unread_count": horizon.unread_count,
        }),
    )
}
