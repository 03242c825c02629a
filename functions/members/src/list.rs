//! `GET /v1/members`: any staff member sees their practice's team; nobody else does.

use canopy_shared::http::{json, Caller, HttpResult, Page};
use canopy_shared::practice::list_members::list_members;
use canopy_shared::App;
use lambda_http::Request;

pub async fn handle(app: &App, req: &Request) -> HttpResult {
    let caller = Caller::from_request(req)?;
    let items = list_members(&app.store, &caller).await?;
    json(
        200,
        &Page {
            items,
            next_cursor: None,
        },
    )
}
