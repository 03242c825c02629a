//! The public pages of the link domain: `GET /{code}` (a practice link click),
//! `POST /{code}/download-sms` (text me the app) and `GET /i/{token}` (an invite click).
//! Links and invites share one redirect/landing piece ([`target`]). Every answer is HTML
//! (with the headers of [`pages`]) except download-sms requests made with JSON.

mod click;
mod download;
mod invite;
mod pages;
mod platform;
mod target;

use canopy_shared::http::{instrumented, unknown_route};
use canopy_shared::App;
use lambda_http::{Body, Request, Response};

pub async fn handle(app: &App, req: Request) -> Response<Body> {
    instrumented(req, |req, route| async move {
        let page = match route.as_str() {
            "GET /{code}" => click::handle(app, &req).await,
            "GET /i/{token}" => invite::handle(app, &req).await,
            // JSON callers get JSON errors; form posts get pages (see `download`).
            "POST /{code}/download-sms" => return download::handle(app, &req).await,
            _ => return unknown_route(),
        };
        Ok(page.unwrap_or_else(pages::error))
    })
    .await
}
