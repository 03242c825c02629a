//! Lambda entry; the handler is in `lib.rs`.

use canopy_shared::adapters::s3::S3Files;
use lambda_http::{service_fn, Error, Request};

#[tokio::main]
async fn main() -> Result<(), Error> {
    canopy_shared::telemetry::init();
    // Clients are built once per cold start and shared by every invocation.
    let app: &'static canopy_shared::App = Box::leak(Box::new(
        canopy_shared::App::from_env_without_messaging().await?,
    ));
    let sdk = canopy_shared::app::load_sdk_config().await;
    let files: &'static S3Files = Box::leak(Box::new(S3Files::from_env(&sdk)?));
    lambda_http::run(service_fn(move |req: Request| async move {
        Ok::<_, std::convert::Infallible>(fn_attachments::handle(app, files, req).await)
    }))
    .await
}
