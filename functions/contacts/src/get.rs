//! `GET /v1/contacts/{id}`: one contact of the caller's practice, with its status and every
//! conversation with that patient. The read is audited (a concurrent PutItem).

use canopy_shared::contacts;
use canopy_shared::domain::ids::ContactId;
use canopy_shared::http::{json, path_id, request::request_id, ApiError, Caller, HttpResult};
use canopy_shared::services::audit::{self, AuditEvent};
use canopy_shared::App;
use lambda_http::Request;

pub async fn handle(app: &App, req: &Request) -> HttpResult {
    let caller = Caller::from_request(req)?;
    let org = caller.staff_org()?;
    let id: ContactId = path_id(req, "id", "contact")?;
    let request_id = request_id(req);
    let event = AuditEvent {
        actor: Some(&caller.account_id),
        role: Some(caller.role),
        org: Some(&org),
        action: "contact.read",
        targets: vec![id.to_string()],
        request_id: &request_id,
        outcome: "ok",
    };
    let (contact, audited) =
        tokio::join!(contacts::get(app, &org, &id), audit::record(app, &event));
    audited?;
    let contact = contact?.ok_or_else(|| ApiError::not_found("contact"))?;
    json(200, &contact.view())
}
