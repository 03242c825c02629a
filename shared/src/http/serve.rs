//! The one wrapper every function runs its routes through: it turns errors into the
//! contract's JSON, and writes exactly one log line per request (request id, route, status,
//! latency; never bodies, tokens or personal details).

use super::authenticate::authenticate;
use super::error::ApiError;
use super::request::{request_id, route_key};
use super::response::HttpResult;
use crate::App;
use lambda_http::{Body, Request, Response};
use std::future::Future;
use std::time::Instant;

pub async fn instrumented<F, Fut>(req: Request, route: F) -> Response<Body>
where
    F: FnOnce(Request, String) -> Fut,
    Fut: Future<Output = HttpResult>,
{
    let started = Instant::now();
    let route_key = route_key(&req);
    let request_id = request_id(&req);
    let result = route(req, route_key.clone()).await;
    let response = result.unwrap_or_else(ApiError::into_response);
    tracing::info!(
        request_id = %request_id,
        route = %route_key,
        status = response.status().as_u16(),
        latency_ms = started.elapsed().as_secs_f64() * 1000.0,
        "request"
    );
    response
}

/// [`instrumented`] for the app API: the caller is resolved first
/// ([`super::authenticate`]) unless the route is public, so `route` runs only for a
/// live session (its 401 is logged like any answer).
pub async fn authenticated<F, Fut>(app: &App, req: Request, route: F) -> Response<Body>
where
    F: FnOnce(Request, String) -> Fut,
    Fut: Future<Output = HttpResult>,
{
    instrumented(req, |mut req, key| async move {
        authenticate(app, &mut req, &key).await?;
        route(req, key).await
    })
    .await
}

/// The answer for a route key this function does not serve (a template/route mismatch).
pub fn unknown_route() -> HttpResult {
    Err(ApiError::not_found("route"))
}
