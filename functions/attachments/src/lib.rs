//! Attachments of secure conversations: `POST /v1/conversations/{id}/attachments` (reserve
//! an upload, get a presigned PUT) and `GET /v1/conversations/{id}/attachments/{attachment_id}`
//! (status, and a presigned GET once ready). The use cases are in
//! `canopy_shared::attachments`; the S3 notification side is the upload-check function.
//!
//! Reserving an upload honours an `Idempotency-Key` header (`http::idempotent`: +1 conditional put before,
//! +1 update after, only when the header is sent).

mod create;
mod get;

use canopy_shared::http::{authenticated, idempotent, unknown_route};
use canopy_shared::ports::attachments::AttachmentFiles;
use canopy_shared::App;
use lambda_http::{Body, Request, Response};

pub async fn handle(app: &App, files: &dyn AttachmentFiles, req: Request) -> Response<Body> {
    authenticated(app, req, |req, route| async move {
        match route.as_str() {
            "POST /v1/conversations/{id}/attachments" => {
                idempotent(app, &req, || create::handle(app, files, &req)).await
            }
            "GET /v1/conversations/{id}/attachments/{attachment_id}" => {
                get::handle(app, files, &req).await
            }
            _ => unknown_route(),
        }
    })
    .await
}
