//! `GET /{code}`: a practice link click. One `UpdateItem` resolves the link and counts the
//! click (total and per day) on the condition that the link exists and is active, so
//! unknown and disabled codes fail the same condition and get the same 404 page.
//! Malformed codes never reach the table (see `canopy_shared::links::click`).

use crate::pages;
use crate::target::{answer, Target};
use canopy_shared::http::{path_param, HttpResult};
use canopy_shared::links::{click, LookupError};
use canopy_shared::App;
use lambda_http::Request;

pub async fn handle(app: &App, req: &Request) -> HttpResult {
    match click(&app.store, path_param(req, "code")?, app.now_ms()).await {
        Ok(link) => answer(app, req, &Target::link(&link)),
        Err(LookupError::NotFound) => pages::not_found(),
        Err(LookupError::Store(err)) => Err(err.into()),
    }
}
