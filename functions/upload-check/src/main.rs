//! Lambda entry (S3 notifications); the handler is in `lib.rs`.

use aws_lambda_events::event::s3::S3Event;
use canopy_shared::adapters::s3::S3Files;
use lambda_runtime::{service_fn, Error, LambdaEvent};

#[tokio::main]
async fn main() -> Result<(), Error> {
    canopy_shared::telemetry::init();
    // Clients are built once per cold start and shared by every invocation.
    let app: &'static canopy_shared::App = Box::leak(Box::new(
        canopy_shared::App::from_env_without_messaging().await?,
    ));
    let sdk = canopy_shared::app::load_sdk_config().await;
    let files: &'static S3Files = Box::leak(Box::new(S3Files::from_env(&sdk)?));
    lambda_runtime::run(service_fn(move |event: LambdaEvent<S3Event>| async move {
        fn_upload_check::handle(app, files, event.payload)
            .await
            .map_err(Error::from)
    }))
    .await
}
