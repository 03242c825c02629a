//! `/_local/sms/status` and `/_local/email/status`: the delivery events AWS would send for
//! a message moto recorded, with the ids the provider echo remembered for it (as End User
//! Messaging echoes `context` and SES echoes message tags).

use super::{answer, sns, Refusal};
use canopy_shared::adapters::provider_echo::{recall, Echo};
use canopy_shared::domain::time::rfc3339;
use canopy_shared::App;
use serde::Deserialize;

#[derive(Deserialize)]
pub struct StatusBody {
    provider_message_id: String,
    status: String,
    #[serde(default)]
    reason: Option<String>,
}

async fn echo_of(app: &App, id: &str, channel: &str) -> Result<Echo, Refusal> {
    let echo = recall(&app.db, app.table(), id)
        .await
        .map_err(|e| Refusal(503, "store_unavailable", e.to_string()))?
        .filter(|e| e.channel == channel)
        .ok_or_else(|| {
            Refusal(
                404,
                "unknown_message",
                format!("no {channel} was sent with that id"),
            )
        })?;
    Ok(echo)
}

pub async fn sms(app: &App, b: StatusBody) -> Result<serde_json::Value, Refusal> {
    let event_type = match (b.status.as_str(), b.reason.as_deref()) {
        ("delivered", _) => "TEXT_DELIVERED",
        ("failed", Some("blocked")) => "TEXT_BLOCKED",
        ("failed", Some("invalid")) => "TEXT_INVALID",
        ("failed", Some("opted_out")) => "TEXT_OPTED_OUT",
        ("failed", _) => "TEXT_CARRIER_UNREACHABLE",
        _ => {
            return Err(Refusal(
                400,
                "invalid_field",
                "status must be \"delivered\" or \"failed\"".into(),
            ))
        }
    };
    let echo = echo_of(app, &b.provider_message_id, "sms").await?;
    let message = serde_json::json!({
        "eventType": event_type,
        "eventVersion": "1.0",
        "eventTimestamp": app.now_ms(),
        "isFinal": true,
        "originationPhoneNumber": echo.from,
        "destinationPhoneNumber": echo.to,
        "isoCountryCode": "US",
        "messageId": echo.provider_message_id,
        "messageRequestTimestamp": app.now_ms(),
        "messageEncoding": "GSM",
        "messageType": "TRANSACTIONAL",
        "messageStatus": event_type.trim_start_matches("TEXT_"),
        "messageStatusDescription": b.reason.unwrap_or_default(),
        "totalMessageParts": 1,
        "context": echo.ids,
    });
    let event = sns::event("canopy-delivery-status", &message, app.now_ms())
        .map_err(|e| Refusal(500, "bad_event", e.to_string()))?;
    answer(fn_delivery_status::handle(app, event).await)
}

pub async fn email(app: &App, b: StatusBody) -> Result<serde_json::Value, Refusal> {
    let echo = echo_of(app, &b.provider_message_id, "email").await?;
    let at = rfc3339(app.now_ms());
    let tags: serde_json::Map<String, serde_json::Value> = echo
        .ids
        .iter()
        .map(|(k, v)| (k.clone(), serde_json::json!([v])))
        .collect();
    let mut message = serde_json::json!({
        "mail": {
            "timestamp": at, "source": echo.from, "messageId": echo.provider_message_id,
            "destination": [echo.to], "tags": tags
        }
    });
    match b.status.as_str() {
        "delivered" => {
            message["eventType"] = "Delivery".into();
            message["delivery"] = serde_json::json!({"timestamp": at, "recipients": [echo.to], "smtpResponse": "250 ok"});
        }
        "bounced" => {
            message["eventType"] = "Bounce".into();
            message["bounce"] = serde_json::json!({"bounceType": "Permanent", "bounceSubType": "General",
                "bouncedRecipients": [{"emailAddress": echo.to}], "timestamp": at});
        }
        "complained" => {
            message["eventType"] = "Complaint".into();
            message["complaint"] = serde_json::json!({"complainedRecipients": [{"emailAddress": echo.to}],
                "timestamp": at, "complaintFeedbackType": "abuse"});
        }
        _ => {
            return Err(Refusal(
                400,
                "invalid_field",
                "status must be \"delivered\", \"bounced\" or \"complained\"".into(),
            ))
        }
    }
    let event = sns::event("canopy-delivery-status", &message, app.now_ms())
        .map_err(|e| Refusal(500, "bad_event", e.to_string()))?;
    answer(fn_delivery_status::handle(app, event).await)
}
