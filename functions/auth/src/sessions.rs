//! Sessions users can end (API.md § Sessions; the rules are
//! `canopy_shared::access::sessions::manage`): `POST /v1/auth/logout`, `GET /v1/sessions`,
//! `DELETE /v1/sessions/{id}` and `DELETE /v1/sessions`. All four need a live session
//! (resolved before the route runs); the caller's own token comes
//! from the `Authorization` header (its hash names the current session).

use canopy_shared::access::sessions::manage;
use canopy_shared::domain::time::rfc3339;
use canopy_shared::http::authenticate::bearer_token;
use canopy_shared::http::request::{header, path_param};
use canopy_shared::http::{json, no_content, ApiError, Caller, HttpResult};
use canopy_shared::App;
use lambda_http::Request;
use serde_json::json;

/// The bearer token the request carries (already accepted by `authenticate`).
fn own_token(req: &Request) -> Result<&str, ApiError> {
    bearer_token(header(req, "authorization")).ok_or_else(ApiError::unauthorized)
}

/// `POST /v1/auth/logout` → 204; the token is refused from then on.
pub async fn logout(app: &App, req: &Request) -> HttpResult {
    let caller = Caller::from_request(req)?;
    manage::logout(&app.store, &caller.account_id, own_token(req)?).await?;
    no_content()
}

/// `GET /v1/sessions` → `{items: [{id, created_at, last_used_at, user_agent, current}]}`.
pub async fn list(app: &App, req: &Request) -> HttpResult {
    let caller = Caller::from_request(req)?;
    let token = own_token(req)?;
    let sessions = manage::list(&app.store, &caller.account_id, token, app.now_ms()).await?;
    let items: Vec<_> = sessions
        .iter()
        .map(|s| {
            json!({
                "id": s.id,
                "created_at": rfc3339(s.created_at),
                "last_used_at": rfc3339(s.last_used_at),
                "user_agent": s.user_agent,
                "current": s.current,
            })
        })
        .collect();
    // The whole list in one answer (an account has a handful of live sessions).
    json(200, &json!({ "items": items, "next_cursor": null }))
}

/// `DELETE /v1/sessions/{id}` → 204; 404 for anything that is not one of the caller's live
/// sessions (another account's included).
pub async fn end(app: &App, req: &Request) -> HttpResult {
    let caller = Caller::from_request(req)?;
    let id = path_param(req, "id")?;
    manage::end(&app.store, &caller.account_id, id, app.now_ms()).await?;
    no_content()
}

/// `DELETE /v1/sessions` → 204: signs out everywhere, this session included.
pub async fn end_all(app: &App, req: &Request) -> HttpResult {
    let caller = Caller::from_request(req)?;
    manage::end_all(&app.store, &caller.account_id).await?;
    no_content()
}
