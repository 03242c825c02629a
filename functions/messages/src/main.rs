//! Lambda entry; the handler is in `lib.rs`.

use canopy_shared::adapters::s3::S3Files;
use canopy_shared::ports::attachments::AttachmentFiles;
use lambda_http::{service_fn, Error, Request};

#[tokio::main]
async fn main() -> Result<(), Error> {
    canopy_shared::telemetry::init();
    // Clients are built once per cold start and shared by every invocation.
    let app: &'static canopy_shared::App = Box::leak(Box::new(
        canopy_shared::App::from_env_without_messaging().await?,
    ));
    // The attachments bucket (posts with attachment_ids mark their files attached).
    let sdk = canopy_shared::app::load_sdk_config().await;
    let files: Option<&'static S3Files> = S3Files::from_env(&sdk)
        .ok()
        .map(|f| &*Box::leak(Box::new(f)));
    lambda_http::run(service_fn(move |req: Request| async move {
        let files = files.map(|f| f as &dyn AttachmentFiles);
        Ok::<_, std::convert::Infallible>(fn_messages::handle(app, files, req).await)
    }))
    .await
}
