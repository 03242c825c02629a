//! `POST /v1/invites/{id}/resend`: run [`canopy_shared::invites::resend_invite`] (a fresh
//! token, the old one dead at once, sent again; at most 3 per hour) and answer with the
//! invite's view.

use crate::invite::outbox;
use canopy_shared::domain::ids::InviteId;
use canopy_shared::http::{json, path_id, request::request_id, Caller, HttpResult};
use canopy_shared::invites::resend_invite;
use canopy_shared::App;
use lambda_http::Request;

pub async fn handle(app: &App, req: &Request) -> HttpResult {
    let caller = Caller::from_request(req)?;
    caller.staff_org()?;
    let id: InviteId = path_id(req, "id", "invite")?;
    let invite = resend_invite(
        &app.store,
        &outbox(app),
        &caller,
        &id,
        app.now_ms(),
        &request_id(req),
    )
    .await?;
    json(200, &invite.view())
}
