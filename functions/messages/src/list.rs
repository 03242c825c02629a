//! `GET /v1/conversations/{id}/messages?before=&limit=&cursor=` →
//! [`canopy_shared::conversations::messages_page`] (one round trip: the Query, the
//! conversation's GetItem and the audit write, concurrent; for a patient, or a staff
//! member this process resolved before, that write also proves the caller,
//! `canopy_shared::http::deferred`).

use crate::view;
use canopy_shared::conversations::messages_page::messages_page;
use canopy_shared::conversations::Context;
use canopy_shared::domain::ids::MessageId;
use canopy_shared::http::{
    json, page_limit, path_id, proven, query_param, request::request_id, ApiError, HttpResult, Page,
};
use canopy_shared::ports::conversations::MessagesFrom;
use canopy_shared::App;
use lambda_http::Request;

pub async fn handle(app: &App, req: &Request) -> HttpResult {
    let conversation = path_id(req, "id", "conversation")?;
    let limit = page_limit(req)?;
    let from = match (query_param(req, "cursor"), query_param(req, "before")) {
        (Some(c), _) => MessagesFrom::Cursor(c.to_string()),
        (None, Some(b)) => MessagesFrom::Before(
            b.parse::<MessageId>()
                .map_err(|_| ApiError::invalid("before", "must be a message id"))?,
        ),
        (None, None) => MessagesFrom::Newest,
    };
    let rid = request_id(req);
    proven(app, req, |caller, proof| {
        let (conversation, from, rid) = (&conversation, &from, &rid);
        async move {
            let cx = Context {
                caller: &caller,
                request_id: rid,
                clock: &*app.clock,
                proof: proof.as_ref(),
            };
            let page = messages_page(&app.store, &cx, conversation, from, limit).await?;
            json(
                200,
                &Page {
                    items: page.items.iter().map(view::MessageView::of).collect(),
                    next_cursor: page.next_cursor,
                },
            )
        }
    })
    .await
}
