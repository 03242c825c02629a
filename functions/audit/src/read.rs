//! `GET /v1/audit?from=&to=&actor=&target=&limit=&cursor=`: owners and admins read their
//! practice's trail, newest first, one Query per page; the read is audited. Members and
//! patients get 403.

use canopy_shared::access::audit::{read_audit, AuditParams};
use canopy_shared::http::request::request_id;
use canopy_shared::http::{json, page_limit, query_param, Caller, HttpResult, Page};
use canopy_shared::App;
use lambda_http::Request;

pub async fn handle(app: &App, req: &Request) -> HttpResult {
    let caller = Caller::from_request(req)?;
    let params = AuditParams {
        from: query_param(req, "from"),
        to: query_param(req, "to"),
        actor: query_param(req, "actor"),
        target: query_param(req, "target"),
        limit: page_limit(req)?,
        cursor: query_param(req, "cursor"),
    };
    let page = read_audit(&app.store, &caller, &params, app.now_ms(), &request_id(req)).await?;
    json(
        200,
        &Page {
            items: page.items,
            next_cursor: page.next_cursor,
        },
    )
}
