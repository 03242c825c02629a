//! `POST /v1/conversations/{id}/read` → [`canopy_shared::conversations::mark_read`] (one
//! TransactWriteItems when the message is the newest, which for a patient, or a staff
//! member this process resolved before, also proves the caller:
//! `canopy_shared::http::deferred`).

use canopy_shared::conversations::mark_read::mark_read;
use canopy_shared::conversations::Context;
use canopy_shared::domain::ids::MessageId;
use canopy_shared::http::{json, json_body, path_id, proven, request::request_id, HttpResult};
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
    let conversation = path_id(req, "id", "conversation")?;
    let body: Body = json_body(req)?;
    let rid = request_id(req);
    proven(app, req, |caller, proof| {
        let (conversation, rid) = (&conversation, &rid);
        async move {
            let cx = Context {
                caller: &caller,
                request_id: rid,
                clock: &*app.clock,
                proof: proof.as_ref(),
            };
            let horizon = mark_read(&app.store, &cx, conversation, body.message_id).await?;
            json(
                200,
                &json!({
                    "last_read_message_id": horizon.last_read_message_id,
                    "unread_count": horizon.unread_count,
                }),
            )
        }
    })
    .await
}
