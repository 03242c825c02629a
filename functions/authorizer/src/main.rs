//! Lambda entry for the app API's authorizer; the logic is in `lib.rs`.

use lambda_runtime::{service_fn, Error, LambdaEvent};
use serde_json::Value;

#[tokio::main]
async fn main() -> Result<(), Error> {
    canopy_shared::telemetry::init();
    // Built once per cold start and shared by every invocation.
    let app: &'static canopy_shared::App = Box::leak(Box::new(
        canopy_shared::App::from_env_without_messaging().await?,
    ));
    lambda_runtime::run(service_fn(move |event: LambdaEvent<Value>| async move {
        Ok::<Value, Error>(fn_authorizer::handle_event(app, &event.payload).await)
    }))
    .await
}
