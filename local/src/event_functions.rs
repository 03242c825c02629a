//! The event functions (no HTTP routes), by `template.yaml` logical id: each takes the AWS
//! event as JSON, exactly as Lambda hands it over, and answers its response as JSON. Used
//! to replay `events/<function>/*.json` and by the stand-ins' callers in tests.

use canopy_shared::App;
use serde_json::Value;

/// Logical ids of the functions triggered by events rather than routes.
pub const EVENT_FUNCTIONS: &[&str] = &[
    "StreamFunction",
    "DeliveryStatusFunction",
    "InboundSmsFunction",
    "InboundEmailFunction",
];

/// Runs `function` on `event`; `None` if it is not an event function. An event that is
/// not the function's event type, or a failed invocation, is `Some(Err(..))`.
pub async fn invoke(function: &str, app: &App, event: Value) -> Option<Result<Value, String>> {
    fn out<T: serde::Serialize, E: std::fmt::Display>(r: Result<T, E>) -> Result<Value, String> {
        r.map_err(|e| e.to_string())
            .and_then(|v| serde_json::to_value(v).map_err(|e| e.to_string()))
    }
    fn parse<T: serde::de::DeserializeOwned>(event: Value) -> Result<T, String> {
        serde_json::from_value(event).map_err(|e| format!("not this function's event: {e}"))
    }
    Some(match function {
        "StreamFunction" => match parse(event) {
            Ok(e) => out(fn_stream::handle(app, e).await),
            Err(e) => Err(e),
        },
        "DeliveryStatusFunction" => match parse(event) {
            Ok(e) => out(fn_delivery_status::handle(app, e).await),
            Err(e) => Err(e),
        },
        "InboundSmsFunction" => match parse(event) {
            Ok(e) => out(fn_inbound_sms::handle(app, e).await),
            Err(e) => Err(e),
        },
        "InboundEmailFunction" => match parse(event) {
            Ok(e) => out(fn_inbound_email::handle(app, e).await),
            Err(e) => Err(e),
        },
        // The reminder schedule (not in EVENT_FUNCTIONS: its event carries nothing to replay).
        "RemindersFunction" => fn_reminders::handle(app)
            .await
            .map(|s| s.summary())
            .map_err(|e| e.to_string()),
        _ => return None,
    })
}
