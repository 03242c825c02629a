//! `GET /v1/conversations?link_id=&tag=&limit=&cursor=` →
//! [`canopy_shared::conversations::inbox`]: one Query per page with the audit write
//! concurrent; for a patient, or a staff member this process resolved before, that write
//! also proves the caller (a deferred route, `canopy_shared::http::deferred`), so the
//! page is one round trip in all.

use crate::view;
use canopy_shared::conversations::inbox::{inbox, InboxInput};
use canopy_shared::conversations::Context;
use canopy_shared::http::{
    json, page_limit, proven, query_param, request::request_id, HttpResult, Page,
};
use canopy_shared::App;
use lambda_http::Request;

pub async fn handle(app: &App, req: &Request) -> HttpResult {
    let input = InboxInput {
        limit: page_limit(req)?,
        cursor: query_param(req, "cursor"),
        link_id: query_param(req, "link_id"),
        tag: query_param(req, "tag"),
    };
    let rid = request_id(req);
    proven(app, req, |caller, proof| {
        let (input, rid) = (&input, &rid);
        async move {
            let cx = Context {
                caller: &caller,
                request_id: rid,
                clock: &*app.clock,
                proof: proof.as_ref(),
            };
            let page = inbox(&app.store, &cx, input).await?;
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
    })
    .await
}
