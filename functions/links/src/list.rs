//! `GET /v1/links`: every staff member of the practice sees its links with their counts
//! (total clicks, signups, and clicks per day for referral reports). One Query on GSI1.

use canopy_shared::http::{json, Caller, HttpResult, Page};
use canopy_shared::links::list_links;
use canopy_shared::App;
use lambda_http::Request;

pub async fn handle(app: &App, req: &Request) -> HttpResult {
    let caller = Caller::from_request(req)?;
    let links = list_links(&app.store, &caller).await?;
    let items = links
        .iter()
        .map(|l| l.view(&app.settings.link_base_url))
        .collect();
    json(
        200,
        &Page {
            items,
            next_cursor: None,
        },
    )
}
