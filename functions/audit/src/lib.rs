//! The practice's audit trail (HIPAA 164.312(b)): `GET /v1/audit`. The route file parses
//! the query string, calls `canopy_shared::access::audit::read_audit` and maps the error.

mod read;

use canopy_shared::http::{authenticated, unknown_route};
use canopy_shared::App;
use lambda_http::{Body, Request, Response};

pub async fn handle(app: &App, req: Request) -> Response<Body> {
    authenticated(app, req, |req, route| async move {
        match route.as_str() {
            "GET /v1/audit" => read::handle(app, &req).await,
            _ => unknown_route(),
        }
    })
    .await
}
