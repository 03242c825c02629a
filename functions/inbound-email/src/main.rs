//! Lambda entry for SES receipt notifications through SNS; the handler is in `lib.rs`.

use lambda_runtime::{service_fn, Error, LambdaEvent};

#[tokio::main]
async fn main() -> Result<(), Error> {
    canopy_shared::telemetry::init();
    // Clients are built once per cold start and shared by every invocation.
    let app: &'static canopy_shared::App =
        Box::leak(Box::new(canopy_shared::App::from_env_reading_mail().await?));
    lambda_runtime::run(service_fn(
        move |event: LambdaEvent<aws_lambda_events::event::sns::SnsEvent>| async move {
            fn_inbound_email::handle(app, event.payload).await
        },
    ))
    .await
}
