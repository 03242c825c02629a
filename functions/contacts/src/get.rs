//! `GET /v1/contacts/{id}`: one contact of the caller's practice, with its status and every
//! conversation with that patient (see [`canopy_shared::contacts::get_contact`]).

use canopy_shared::contacts::get_contact;
use canopy_shared::domain::ids::ContactId;
use canopy_shared::http::{json, path_id, request::request_id, Caller, HttpResult};
use canopy_shared::App;
use lambda_http::Request;

pub async fn handle(app: &App, req: &Request) -> HttpResult {
    let caller = Caller::from_request(req)?;
    caller.staff_org()?;
    let id: ContactId = path_id(req, "id", "contact")?;
    let contact = get_contact(&app.store, &caller, &id, app.now_ms(), &request_id(req)).await?;
    json(200, &contact.view())
}
