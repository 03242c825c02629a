//! `GET /v1/conversations/{id}`: participants with their last read time, subject, tags,
//! read_only, state, identity fields. One GetItem, with the audit write issued
//! concurrently. Anyone who may not see the conversation gets 404.

use crate::view;
use canopy_shared::conversations::{self};
use canopy_shared::domain::ids::ConversationId;
use canopy_shared::http::{json, path_id, request::request_id, ApiError, Caller, HttpResult};
use canopy_shared::services::audit::{self, AuditEvent};
use canopy_shared::App;
use lambda_http::Request;

pub async fn handle(app: &App, req: &Request) -> HttpResult {
    let caller = Caller::from_request(req)?;
    let conversation: ConversationId = path_id(req, "id", "conversation")?;
    let rid = request_id(req);
    let event = AuditEvent {
        actor: Some(&caller.account_id),
        role: Some(caller.role),
        org: caller.org_id.as_ref(),
        action: "conversation.read",
        targets: vec![conversation.to_string()],
        request_id: &rid,
        outcome: "requested",
    };
    let (meta, audited) = tokio::join!(
        conversations::get(app, &conversation),
        audit::record(app, &event)
    );
    let meta = meta?
        .filter(|m| conversations::visible_to(m, &caller))
        .ok_or_else(|| ApiError::not_found("conversation"))?;
    audited?;
    json(200, &view::details(&meta, &caller))
}
