//! Lambda entry; the handler is in `lib.rs`.

use lambda_http::{service_fn, Error, Request};

#[tokio::main]
async fn main() -> Result<(), Error> {
    canopy_shared::telemetry::init();
    // Clients are built once per cold start and shared by every invocation.
    let app: &'static canopy_shared::App = Box::leak(Box::new(
        canopy_shared::App::from_env_without_messaging().await?,
    ));
    lambda_http::run(service_fn(move |req: Request| async move {
        Ok::<_, std::convert::Infallible>(fn_audit::handle(app, req).await)
    }))
    .await
}
