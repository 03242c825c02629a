//! `GET /v1/public/links/{code}` (no sign-in): what the app's "Join …" screen shows, the
//! practice name and the link label, nothing else. Unknown and disabled codes are the same
//! 404. One GetItem; malformed codes are refused without touching the table.

use canopy_shared::http::{json, path_param, HttpResult};
use canopy_shared::links::public_link;
use canopy_shared::App;
use lambda_http::Request;
use serde::Serialize;

#[derive(Serialize)]
struct PublicLink<'a> {
    practice_name: &'a str,
    label: &'a str,
}

pub async fn handle(app: &App, req: &Request) -> HttpResult {
    let link = public_link(&app.store, path_param(req, "code")?).await?;
    json(
        200,
        &PublicLink {
            practice_name: &link.practice_name,
            label: &link.label,
        },
    )
}
