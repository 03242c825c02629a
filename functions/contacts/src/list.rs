//! `GET /v1/contacts?q=&limit=&cursor=`: prefix search of the practice's address book (see
//! [`canopy_shared::contacts::search_contacts`]: the shape of `q` picks name, phone or
//! email).

use canopy_shared::contacts::{search_contacts, Contact};
use canopy_shared::http::{
    json, page_limit, query_param, request::request_id, Caller, HttpResult, Page,
};
use canopy_shared::App;
use lambda_http::Request;

pub async fn handle(app: &App, req: &Request) -> HttpResult {
    let caller = Caller::from_request(req)?;
    caller.staff_org()?;
    let limit = page_limit(req)?;
    let page = search_contacts(
        &app.store,
        &caller,
        query_param(req, "q"),
        limit,
        query_param(req, "cursor"),
        app.now_ms(),
        &request_id(req),
    )
    .await?;
    json(
        200,
        &Page {
            items: page.items.iter().map(Contact::view).collect(),
            next_cursor: page.next_cursor,
        },
    )
}
