//! Lambda entry for the minute schedule; the handler is in `lib.rs`.

use lambda_runtime::{service_fn, Error, LambdaEvent};

#[tokio::main]
async fn main() -> Result<(), Error> {
    canopy_shared::telemetry::init();
    // Clients are built once per cold start and shared by every invocation.
    let app: &'static canopy_shared::App =
        Box::leak(Box::new(canopy_shared::App::from_env().await?));
    lambda_runtime::run(service_fn(
        move |_scheduled: LambdaEvent<serde_json::Value>| async move {
            let swept = fn_reminders::handle(app).await?;
            Ok::<_, Error>(swept.summary())
        },
    ))
    .await
}
