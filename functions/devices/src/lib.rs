//! Devices and sync: `POST /v1/devices`, `DELETE /v1/devices/{id}` (push registration,
//! see `canopy_shared::notifications::devices`) and `GET /v1/sync` (the change feed, see
//! `canopy_shared::sync`). Patients and staff alike.

mod register;
mod remove;
mod sync;

use canopy_shared::http::{authenticated, unknown_route};
use canopy_shared::App;
use lambda_http::{Body, Request, Response};

pub async fn handle(app: &App, req: Request) -> Response<Body> {
    authenticated(app, req, |req, route| async move {
        match route.as_str() {
            "POST /v1/devices" => register::handle(app, &req).await,
            "DELETE /v1/devices/{id}" => remove::handle(app, &req).await,
            "GET /v1/sync" => sync::handle(app, &req).await,
            _ => unknown_route(),
        }
    })
    .await
}
