//! `GET /v1/conversations/{id}/attachments/{attachment_id}`: `{id, filename, content_type,
//! size, status, download?: {url, expires_at}}`; `download` only when `ready` (a presigned
//! GET valid 5 minutes). Anyone who may not read the conversation gets 404.

use canopy_shared::attachments::read::read;
use canopy_shared::attachments::Status;
use canopy_shared::domain::ids::{AttachmentId, ConversationId};
use canopy_shared::domain::time::rfc3339;
use canopy_shared::http::{json, path_id, request::request_id, Caller, HttpResult};
use canopy_shared::ports::attachments::AttachmentFiles;
use canopy_shared::App;
use lambda_http::Request;
use serde_json::json;

pub async fn handle(app: &App, files: &dyn AttachmentFiles, req: &Request) -> HttpResult {
    let caller = Caller::from_request(req)?;
    let conversation: ConversationId = path_id(req, "id", "conversation")?;
    let attachment: AttachmentId = path_id(req, "attachment_id", "attachment")?;
    let view = read(
        &app.store,
        files,
        &caller,
        conversation,
        attachment,
        app.now_ms(),
        &request_id(req),
    )
    .await?;
    let a = &view.attachment;
    let mut body = json!({
        "id": a.id,
        "conversation_id": a.conversation_id,
        "filename": a.filename.as_str(),
        "content_type": a.content_type.as_str(),
        "size": a.size,
        "status": a.status.as_str(),
    });
    if a.status == Status::Rejected {
        body["reject_reason"] = json!(a.reject_reason.map(|r| r.as_str()));
    }
    if let Some(d) = &view.download {
        body["download"] = json!({"url": d.url, "expires_at": rfc3339(d.expires_at_ms)});
    }
    json(200, &body)
}
