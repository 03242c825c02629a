//! The practice and its team: `GET /v1/members`, `POST /v1/members`,
//! `DELETE /v1/members/{id}`, `GET /v1/org`, `PATCH /v1/org`. Each route file parses the
//! request, calls its use case in `canopy_shared::practice` (`list_members`, `add_member`,
//! `remove_member`, `org`) and maps the error.
//!
//! `POST /v1/members` honours an `Idempotency-Key` header (`http::idempotent`: +1 conditional put before,
//! +1 update after, only when the header is sent).

mod add;
mod list;
mod org;
mod remove;

use canopy_shared::http::{authenticated, idempotent, unknown_route};
use canopy_shared::App;
use lambda_http::{Body, Request, Response};

pub async fn handle(app: &App, req: Request) -> Response<Body> {
    authenticated(app, req, |req, route| async move {
        match route.as_str() {
            "GET /v1/members" => list::handle(app, &req).await,
            "POST /v1/members" => idempotent(app, &req, || add::handle(app, &req)).await,
            "DELETE /v1/members/{id}" => remove::handle(app, &req).await,
            "GET /v1/org" => org::show(app, &req).await,
            "PATCH /v1/org" => org::patch(app, &req).await,
            _ => unknown_route(),
        }
    })
    .await
}
