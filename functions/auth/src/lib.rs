//! Practice signup and sign-in: `POST /v1/orgs`, `POST /v1/auth/start`, `POST /v1/auth/verify`.
//! All three are public; the one-time-code rules live in `canopy_shared::services::otp`.

mod create_org;
mod start;
mod verify;

use canopy_shared::http::{instrumented, unknown_route};
use canopy_shared::App;
use lambda_http::{Body, Request, Response};

/// Challenge purposes this function starts and completes.
pub const PURPOSE_ORG_SIGNUP: &str = "org_signup";
pub const PURPOSE_LOGIN: &str = "login";

pub async fn handle(app: &App, req: Request) -> Response<Body> {
    instrumented(req, |req, route| async move {
        match route.as_str() {
            "POST /v1/orgs" => create_org::handle(app, &req).await,
            "POST /v1/auth/start" => start::handle(app, &req).await,
            "POST /v1/auth/verify" => verify::handle(app, &req).await,
            _ => unknown_route(),
        }
    })
    .await
}
