//! `GET /v1/sync?after=&limit=` → `{items: [{seq, type, conversation_id, at, ...}],
//! next_cursor, has_more}`: the caller's changes after `after` (a `seq`; absent or 0: from
//! the start), gap-free and in order. `next_cursor` is always the `seq` to poll from next
//! (the last item's, or `after` when there was nothing new); `has_more` says whether
//! another page is already waiting. A cursor older than the retention window → 410
//! `cursor_expired` (reload the inbox, then sync from 0).
//!
//! One Query per page, and the audit item written concurrently (the feed carries
//! conversation subjects): one round trip of latency.

use canopy_shared::http::{
    json, page_limit, query_param, request::request_id, ApiError, Caller, HttpResult,
};
use canopy_shared::services::audit::{self, AuditEvent};
use canopy_shared::sync::feed;
use canopy_shared::sync::model::FeedEntry;
use canopy_shared::App;
use lambda_http::Request;
use serde_json::json;

pub async fn handle(app: &App, req: &Request) -> HttpResult {
    let caller = Caller::from_request(req)?;
    let limit = page_limit(req)?;
    let after = match query_param(req, "after") {
        None => 0,
        Some(raw) => raw
            .parse::<u64>()
            .map_err(|_| ApiError::invalid("after", "must be a seq from an earlier answer"))?,
    };
    let request_id = request_id(req);
    let event = AuditEvent {
        actor: Some(&caller.account_id),
        role: Some(caller.role),
        org: caller.org_id.as_ref(),
        action: "sync.read",
        targets: vec![caller.account_id.to_string()],
        request_id: &request_id,
        outcome: "ok",
    };
    let (page, audited) = tokio::join!(
        feed::page(
            &app.store,
            &caller.account_id,
            after,
            limit as usize,
            app.now_ms()
        ),
        audit::record(app, &event),
    );
    audited?;
    let page = page?;
    json(
        200,
        &json!({
            "items": page.items.iter().map(FeedEntry::view).collect::<Vec<_>>(),
            "next_cursor": page.next_cursor.to_string(),
            "has_more": page.has_more,
        }),
    )
}
