//! The HTTP half of `Idempotency-Key` (the rules are [`crate::access::idempotency`]): reads
//! the header, runs the handler at most once per (caller, key), and answers a retry with
//! the stored response (header `idempotent-replayed: true`). Without the header nothing
//! changes (message posts use their own `client_message_id`).

use crate::access::idempotency::{self, Claim, StoredAnswer};
use crate::app::App;
use crate::domain::ids::AccountId;
use crate::http::{request::header, ApiError, Caller, HttpResult};
use lambda_http::{Body, Request, RequestExt, Response};
use std::future::Future;

/// Runs an authenticated creating route at most once per (caller, `Idempotency-Key`): the
/// caller is the one `http::serve::authenticated` put on the request. Every `POST` that
/// creates something answers a retry with its first answer (SECURITY.md: every mutation is
/// idempotent for client retries); message posts use their own `client_message_id` instead.
pub async fn idempotent<F, Fut>(app: &App, req: &Request, handler: F) -> HttpResult
where
    F: FnOnce() -> Fut,
    Fut: Future<Output = HttpResult>,
{
    let caller = Caller::from_request(req).map_err(|_: ApiError| ApiError::unauthorized())?;
    once(app, req, &caller.account_id, handler).await
}

/// Runs `handler` at most once per (caller, `Idempotency-Key`).
pub async fn once<F, Fut>(app: &App, req: &Request, caller: &AccountId, handler: F) -> HttpResult
where
    F: FnOnce() -> Fut,
    Fut: Future<Output = HttpResult>,
{
    let Some(key) = header(req, "idempotency-key") else {
        return handler().await;
    };
    let request_hash = idempotency::request_hash(req.uri().path(), req.body().as_ref());
    // The function's deadline: a claim left behind by a crash is taken over after it.
    let deadline = req
        .lambda_context_ref()
        .and_then(|c| i64::try_from(c.deadline).ok())
        .filter(|d| *d > 0);
    let now = app.now_ms();
    match idempotency::claim(&app.store, caller, key, &request_hash, now, deadline).await? {
        Claim::Replay(answer) => return replay(answer),
        Claim::Fresh => {}
    }
    let result = handler().await;
    let answer = match &result {
        Ok(response) if response.status().is_success() => Some(StoredAnswer {
            status: response.status().as_u16(),
            body: match response.body() {
                Body::Text(t) => t.clone(),
                _ => String::new(),
            },
        }),
        _ => None,
    };
    idempotency::finish(&app.store, caller, key, answer).await;
    result
}

fn replay(answer: StoredAnswer) -> HttpResult {
    Response::builder()
        .status(answer.status)
        .header("content-type", "application/json")
        .header("idempotent-replayed", "true")
        .body(Body::Text(answer.body))
        .map_err(|_| ApiError::internal())
}
