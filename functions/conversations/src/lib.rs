//! Conversations: `GET/POST /v1/conversations`, `GET/PATCH /v1/conversations/{id}`.
//! Each route file parses the request, calls its use case in
//! `canopy_shared::conversations`, and maps the error; messages and receipts are the
//! messages function's.
//!
//! `POST /v1/conversations` honours an `Idempotency-Key` header (`http::idempotent`: +1 conditional put before,
//! +1 update after, only when the header is sent).

mod create;
mod details;
mod inbox;
mod patch;
mod view;

use canopy_shared::http::{authenticated, idempotent, unknown_route};
use canopy_shared::App;
use lambda_http::{Body, Request, Response};

pub async fn handle(app: &App, req: Request) -> Response<Body> {
    authenticated(app, req, |req, route| async move {
        match route.as_str() {
            "GET /v1/conversations" => inbox::handle(app, &req).await,
            "POST /v1/conversations" => idempotent(app, &req, || create::handle(app, &req)).await,
            "GET /v1/conversations/{id}" => details::handle(app, &req).await,
            "PATCH /v1/conversations/{id}" => patch::handle(app, &req).await,
            _ => unknown_route(),
        }
    })
    .await
}
