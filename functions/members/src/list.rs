//! `GET /v1/members`: any staff member sees their practice's team; nobody else does.

use canopy_shared::http::{json, Caller, HttpResult, Page};
use canopy_shared::practice::list_members;
use canopy_shared::App;
use lambda_http::Request;

pub async fn handle(app: &App, req: &Request) -> HttpResult {
    let caller = Caller::from_request(req)?;
    let org = caller.staff_org()?;
    let mut members = list_members(app, &org).await?;
    members.sort_by_key(|m| m.created_at);
    let items = members.iter().map(|m| m.view()).collect();
    json(
        200,
        &Page {
            items,
            next_cursor: None,
        },
    )
}
