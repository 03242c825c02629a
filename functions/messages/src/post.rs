//! `POST /v1/conversations/{id}/messages` → [`canopy_shared::conversations::post`] (one
//! TransactWriteItems on the happy path, with or without attachments; without them it is
//! a deferred route, `canopy_shared::http::deferred`: that transaction also proves a
//! claimed caller, so the post is one round trip authorization included). With
//! `attachment_ids` (at most 5; `text` may then be empty),
//! [`canopy_shared::attachments::attach::prepare`] first reads their cards from S3 and marks
//! their objects attached; the post's transaction conditions each attachment item, and only
//! a refusal reads one ([`canopy_shared::attachments::attach::refusal`]) to say why.

use crate::view;
use canopy_shared::access::proof::SessionProof;
use canopy_shared::attachments::attach::{parse_ids, prepare, refusal};
use canopy_shared::conversations::post::{post, PostError, PostInput};
use canopy_shared::conversations::{ClientMessageId, Context, MessageText};
use canopy_shared::domain::caller::Caller;
use canopy_shared::domain::ids::ConversationId;
use canopy_shared::http::{
    json, json_body, path_id, proven, request::request_id, resolved, ApiError, HttpResult,
};
use canopy_shared::ports::attachments::AttachmentFiles;
use canopy_shared::App;
use lambda_http::Request;
use serde::Deserialize;

#[derive(Deserialize)]
struct Body {
    /// Required unless the post carries attachments.
    #[serde(default)]
    text: String,
    client_message_id: String,
    #[serde(default)]
    attachment_ids: Vec<String>,
}

impl canopy_shared::http::JsonBody for Body {}

pub async fn handle(app: &App, files: Option<&dyn AttachmentFiles>, req: &Request) -> HttpResult {
    let conversation: ConversationId = path_id(req, "id", "conversation")?;
    let body: Body = json_body(req)?;
    let attachment_ids = parse_ids(&body.attachment_ids)?;
    let text = MessageText::parse_beside_attachments(body.text, attachment_ids.len())
        .map_err(|e| ApiError::invalid("text", e))?;
    let client_message_id = ClientMessageId::parse(body.client_message_id)
        .map_err(|e| ApiError::invalid("client_message_id", e))?;
    let mut input = PostInput {
        conversation,
        text,
        client_message_id,
        attachments: Vec::new(),
    };
    let rid = request_id(req);
    if attachment_ids.is_empty() {
        return proven(app, req, |caller, proof| {
            let (input, rid) = (&input, &rid);
            async move { posted(app, &caller, proof.as_ref(), rid, input).await }
        })
        .await;
    }
    // Attachments are prepared (read and tagged in S3) before the transaction, so their
    // caller is proven by reading first, never only claimed.
    let caller = resolved(app, req).await?;
    let files = files.ok_or_else(|| {
        tracing::error!("posting attachments without an attachments bucket");
        ApiError::unavailable()
    })?;
    input.attachments = prepare(&app.store, files, &caller, &conversation, &attachment_ids).await?;
    posted(app, &caller, None, &rid, &input).await
}

/// Posts `input` as `caller` (claimed, with `proof`, or resolved) and answers the message.
async fn posted(
    app: &App,
    caller: &Caller,
    proof: Option<&SessionProof>,
    rid: &str,
    input: &PostInput,
) -> HttpResult {
    let cx = Context {
        caller,
        request_id: rid,
        clock: &*app.clock,
        proof,
    };
    let message = match post(&app.store, &cx, input).await {
        Err(PostError::AttachmentTaken(id)) => {
            return Err(refusal(&app.store, caller, &input.conversation, &id)
                .await
                .into())
        }
        posted => posted?,
    };
    json(201, &view::MessageView::of(&message))
}
