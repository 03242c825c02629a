//! `GET /i/{token}`: an invite click, answered like a link click (store redirect or
//! landing page naming the practice). Unknown (or replaced) token → the 404 page; expired
//! or used → 410. One GetItem (see [`canopy_shared::invites::usable_token`]).

use crate::pages;
use crate::target::{answer, Target};
use canopy_shared::http::{path_param, HttpResult};
use canopy_shared::invites::{usable_token, TokenError};
use canopy_shared::App;
use lambda_http::Request;

pub async fn handle(app: &App, req: &Request) -> HttpResult {
    let token = path_param(req, "token")?;
    match usable_token(&app.store, token, app.now_ms()).await {
        Ok(invite) => answer(app, req, &Target::invite(&invite, token)),
        Err(TokenError::NotFound) => pages::not_found(),
        Err(TokenError::Gone) => pages::gone(),
        Err(TokenError::Store(err)) => Err(err.into()),
    }
}
