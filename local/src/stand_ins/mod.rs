//! The `/_local/...` stand-ins for AWS's inbound channels (API.md, "Local stand-ins"; the
//! dev server only, never deployed). Each wraps a simple JSON body into the event AWS
//! would deliver (an SNS notification carrying End User Messaging SMS or SES JSON) and
//! invokes the same function that handles it in AWS, in process. Each answers 202 with
//! the function's own answer under `result`.
//!
//! | route | builds | invokes |
//! |---|---|---|
//! | `POST /_local/sms/inbound` `{from, to, body}` | two-way SMS notification | `InboundSmsFunction` |
//! | `POST /_local/email/inbound` `{from, to, subject, text}` | MIME in S3 + SES receipt notification | `InboundEmailFunction` |
//! | `POST /_local/sms/status` `{provider_message_id, status, reason?}` | End User Messaging SMS event | `DeliveryStatusFunction` |
//! | `POST /_local/email/status` `{provider_message_id, status}` | SES Delivery / Bounce / Complaint event | `DeliveryStatusFunction` |

mod inbound;
pub mod sns;
mod status;

use crate::event::RawRequest;
use canopy_shared::App;
use lambda_http::{Body, Response};
use serde::de::DeserializeOwned;

/// Answers a `/_local/...` request; `None` for any other path.
pub async fn dispatch(app: &App, raw: &RawRequest) -> Option<Response<Body>> {
    if !raw.path.starts_with("/_local/") {
        return None;
    }
    if raw.method != "POST" {
        return Some(reply(
            405,
            serde_json::json!({"error": {"code": "method_not_allowed", "message": "Stand-ins take POST."}}),
        ));
    }
    let result = match raw.path.as_str() {
        "/_local/sms/inbound" => match parse(raw) {
            Ok(body) => inbound::sms(app, body).await,
            Err(refusal) => Err(refusal),
        },
        "/_local/email/inbound" => match parse(raw) {
            Ok(body) => inbound::email(app, body).await,
            Err(refusal) => Err(refusal),
        },
        "/_local/sms/status" => match parse(raw) {
            Ok(body) => status::sms(app, body).await,
            Err(refusal) => Err(refusal),
        },
        "/_local/email/status" => match parse(raw) {
            Ok(body) => status::email(app, body).await,
            Err(refusal) => Err(refusal),
        },
        _ => Err(Refusal(404, "not_found", "No such stand-in.".into())),
    };
    Some(match result {
        Ok(result) => reply(
            202,
            serde_json::json!({ "accepted": true, "result": result }),
        ),
        Err(Refusal(status, code, message)) => reply(
            status,
            serde_json::json!({"error": {"code": code, "message": message}}),
        ),
    })
}

/// A stand-in's failure, as a status and a contract-shaped error body.
pub struct Refusal(pub u16, pub &'static str, pub String);

fn parse<B: DeserializeOwned>(raw: &RawRequest) -> Result<B, Refusal> {
    serde_json::from_slice(&raw.body).map_err(|e| Refusal(400, "invalid_body", e.to_string()))
}

fn reply(status: u16, body: serde_json::Value) -> Response<Body> {
    Response::builder()
        .status(status)
        .header("content-type", "application/json")
        .body(Body::Text(body.to_string()))
        .unwrap_or_else(|_| Response::new(Body::Empty))
}

/// The answer of an invoked function, or 503 when it failed (Lambda would retry it).
pub fn answer<T: serde::Serialize, E: std::fmt::Display>(
    result: Result<T, E>,
) -> Result<serde_json::Value, Refusal> {
    match result {
        Ok(out) => Ok(serde_json::to_value(out).unwrap_or_default()),
        Err(e) => Err(Refusal(503, "function_failed", e.to_string())),
    }
}
