//! Routes of this function are being built; until then every route answers 404.

use canopy_shared::http::{instrumented, unknown_route};
use canopy_shared::App;
use lambda_http::{Body, Request, Response};

pub async fn handle(_app: &App, req: Request) -> Response<Body> {
    instrumented(req, |_req, _route| async move { unknown_route() }).await
}
