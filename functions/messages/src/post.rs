//! `POST /v1/conversations/{id}/messages` → [`canopy_shared::conversations::post`] (one
//! TransactWriteItems on the happy path).

use crate::view;
use canopy_shared::conversations::post::{post, PostInput};
use canopy_shared::conversations::{ClientMessageId, Context, MessageText};
use canopy_shared::http::{
    json, json_body, path_id, request::request_id, ApiError, Caller, HttpResult,
};
use canopy_shared::App;
use lambda_http::Request;
use serde::Deserialize;

#[derive(Deserialize)]
struct Body {
    text: String,
    client_message_id: String,
}

pub async fn handle(app: &App, req: &Request) -> HttpResult {
    let caller = Caller::from_request(req)?;
    let conversation = path_id(req, "id", "conversation")?;
    let body: Body = json_body(req)?;
    let input = PostInput {
        conversation,
        text: MessageText::parse(body.text).map_err(|e| ApiError::invalid("text", e))?,
        client_message_id: ClientMessageId::parse(body.client_message_id)
            .map_err(|e| ApiError::invalid("client_message_id", e))?,
    };
    let rid = request_id(req);
    let cx = Context {
        caller: &caller,
        request_id: &rid,
        clock: &*app.clock,
    };
    let message = post(&app.store, &cx, &input).await?;
    json(201, &view::message(&message))
}
