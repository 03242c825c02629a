//! Practice links: `POST /v1/links`, `GET /v1/links`, `PATCH /v1/links/{id}` (staff; only
//! owners and admins change links) and the public `GET /v1/public/links/{code}` that the
//! app's "Join …" screen reads. Each route parses, calls its use case in
//! `canopy_shared::links`, and maps the use case's error (`http::errors_links`).
//!
//! DynamoDB round trips: create 1 GetItem (+1 Query of the roster when members are given,
//! concurrent) + 1 TransactWriteItems; list 1 Query; update 1 Query (+ roster) + 1
//! TransactWriteItems (none when nothing changes); public 1 GetItem.
//!
//! `POST /v1/links` honours an `Idempotency-Key` header (`http::idempotent`: +1 conditional put before,
//! +1 update after, only when the header is sent).

mod create;
mod list;
mod public;
mod update;

use canopy_shared::http::{authenticated, idempotent, unknown_route};
use canopy_shared::App;
use lambda_http::{Body, Request, Response};

pub async fn handle(app: &App, req: Request) -> Response<Body> {
    authenticated(app, req, |req, route| async move {
        match route.as_str() {
            "POST /v1/links" => idempotent(app, &req, || create::handle(app, &req)).await,
            "GET /v1/links" => list::handle(app, &req).await,
            "PATCH /v1/links/{id}" => update::handle(app, &req).await,
            "GET /v1/public/links/{code}" => public::handle(app, &req).await,
            _ => unknown_route(),
        }
    })
    .await
}
