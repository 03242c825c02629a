//! `DELETE /v1/members/{id}`: an owner or admin removes a teammate, whose access ends at
//! once (see `canopy_shared::practice::remove_member`).

use canopy_shared::domain::ids::AccountId;
use canopy_shared::http::{no_content, path_id, request::request_id, Caller, HttpResult};
use canopy_shared::practice::remove_member::remove_member;
use canopy_shared::App;
use lambda_http::Request;

pub async fn handle(app: &App, req: &Request) -> HttpResult {
    let caller = Caller::from_request(req)?;
    // Authorization before the path: a caller without the right gets 403, not 404.
    caller.managing_org()?;
    let target: AccountId = path_id(req, "id", "member")?;
    remove_member(&app.store, &caller, &target, &request_id(req), app.now_ms()).await?;
    no_content()
}
