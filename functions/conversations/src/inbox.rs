//! `GET /v1/conversations?link_id=&tag=&limit=&cursor=` →
//! [`canopy_shared::conversations::inbox`]: staff get one Query per page (and the audit
//! write, concurrent); patients a Query and a BatchGetItem.

use crate::view;
use canopy_shared::conversations::inbox::{inbox, InboxInput};
use canopy_shared::conversations::Context;
use canopy_shared::http::{
    json, page_limit, query_param, request::request_id, Caller, HttpResult, Page,
};
use canopy_shared::App;
use lambda_http::Request;

pub async fn handle(app: &App, req: &Request) -> HttpResult {
    let caller = Caller::from_request(req)?;
    let input = InboxInput {
        limit: page_limit(req)?,
        cursor: query_param(req, "cursor"),
        link_id: query_param(req, "link_id"),
        tag: query_param(req, "tag"),
    };
    let rid = request_id(req);
    let cx = Context {
        caller: &caller,
        request_id: &rid,
        clock: &*app.clock,
    };
    let page = inbox(&app.store, &cx, &input).await?;
    json(
        200,
        &Page {
            items: page
                .items
                .iter()
                .map(|c| view::inbox_row(c, &caller))
                .collect(),
            next_cursor: page.next_cursor,
        },
    )
}
