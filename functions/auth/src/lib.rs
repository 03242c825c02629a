//! Practice signup and sign-in: `POST /v1/orgs`, `POST /v1/auth/start`, `POST /v1/auth/verify`.
//! All three are public. Each route file parses the request, calls its use case in
//! `canopy_shared::practice` (`sign_up`, `sign_in`, `verify`) and maps the error; the
//! one-time-code rules live in `canopy_shared::access`.

mod create_org;
/// Signed in: logout and the session list (`POST /v1/auth/logout`, `/v1/sessions`).
mod sessions;
mod start;
mod verify;

use canopy_shared::http::{authenticated, unknown_route};
use canopy_shared::App;
use lambda_http::{Body, Request, Response};

pub async fn handle(app: &App, req: Request) -> Response<Body> {
    authenticated(app, req, |req, route| async move {
        match route.as_str() {
            "POST /v1/orgs" => create_org::handle(app, &req).await,
            "POST /v1/auth/start" => start::handle(app, &req).await,
            "POST /v1/auth/verify" => verify::handle(app, &req).await,
            "POST /v1/auth/logout" => sessions::logout(app, &req).await,
            "GET /v1/sessions" => sessions::list(app, &req).await,
            "DELETE /v1/sessions/{id}" => sessions::end(app, &req).await,
            "DELETE /v1/sessions" => sessions::end_all(app, &req).await,
            _ => unknown_route(),
        }
    })
    .await
}
