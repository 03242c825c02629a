//! `GET /i/{token}`: an invite click, answered like a link click (store redirect or
//! landing page naming the practice). Unknown (or replaced) token → the 404 page; expired
//! or used → 410. One GetItem.

use crate::pages;
use crate::target::{answer, Target};
use canopy_shared::http::{path_param, HttpResult};
use canopy_shared::invites::{get_by_token, TokenState};
use canopy_shared::App;
use lambda_http::Request;

pub async fn handle(app: &App, req: &Request) -> HttpResult {
    let token = path_param(req, "token")?;
    let Some(invite) = get_by_token(app, token).await? else {
        return pages::not_found();
    };
    match invite.state(app.now_ms()) {
        TokenState::Usable => answer(app, req, &Target::invite(&invite, token)),
        TokenState::Gone => pages::gone(),
    }
}
