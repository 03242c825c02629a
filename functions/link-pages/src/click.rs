//! `GET /{code}`: a practice link click. One `UpdateItem` resolves the link and counts the
//! click (total and per day) on the condition that the link exists and is active, so
//! unknown and disabled codes fail the same condition and get the same 404 page.
//! Malformed codes never reach the table.

use crate::pages;
use crate::target::{answer, Target};
use canopy_shared::http::{path_param, HttpResult};
use canopy_shared::links::{click, LinkCode};
use canopy_shared::App;
use lambda_http::Request;

pub async fn handle(app: &App, req: &Request) -> HttpResult {
    let Ok(code) = LinkCode::parse(path_param(req, "code")?) else {
        return pages::not_found();
    };
    match click(app, &code).await? {
        Some(link) => answer(app, req, &Target::link(&link)),
        None => pages::not_found(),
    }
}
