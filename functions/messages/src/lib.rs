//! Messages and receipts: `POST/GET /v1/conversations/{id}/messages`,
//! `POST /v1/conversations/{id}/read`, `GET /v1/conversations/{id}/messages/{message_id}`.
//! Each route file parses the request, calls its use case in
//! `canopy_shared::conversations`, and maps the error.

mod get_one;
mod list;
mod post;
mod read;
mod view;

use canopy_shared::http::{authenticated, unknown_route};
use canopy_shared::ports::attachments::AttachmentFiles;
use canopy_shared::App;
use lambda_http::{Body, Request, Response};

/// `files`: the attachments bucket, needed only by posts with `attachment_ids` (they are
/// answered 503 without it).
pub async fn handle(
    app: &App,
    files: Option<&dyn AttachmentFiles>,
    req: Request,
) -> Response<Body> {
    authenticated(app, req, |req, route| async move {
        match route.as_str() {
            "POST /v1/conversations/{id}/messages" => post::handle(app, files, &req).await,
            "GET /v1/conversations/{id}/messages" => list::handle(app, &req).await,
            "POST /v1/conversations/{id}/read" => read::handle(app, &req).await,
            "GET /v1/conversations/{id}/messages/{message_id}" => get_one::handle(app, &req).await,
            _ => unknown_route(),
        }
    })
    .await
}
