//! Lambda entry for the SMS spend-limit custom resource; the handler is in `lib.rs`.

use fn_sms_spend_limit::limits::AwsSpendLimits;
use fn_sms_spend_limit::reply::HttpsReplier;
use lambda_runtime::{service_fn, Error, LambdaEvent};

#[tokio::main]
async fn main() -> Result<(), Error> {
    canopy_shared::telemetry::init();
    let limits: &'static AwsSpendLimits = Box::leak(Box::new(AwsSpendLimits::from_env().await?));
    let replier: &'static HttpsReplier = Box::leak(Box::new(HttpsReplier::new()));
    lambda_runtime::run(service_fn(move |event: LambdaEvent<_>| async move {
        fn_sms_spend_limit::handle(limits, replier, event.payload)
            .await
            .map_err(Error::from)
    }))
    .await
}
