//! AWS End User Messaging SMS delivery events (configuration set → SNS):
//! `{eventType, messageId, messageStatus, messageStatusDescription, eventTimestamp,
//! destinationPhoneNumber, context: {org_id, conversation_id, message_id}}`.

use crate::{Parsed, Unreadable};
use canopy_shared::standard::model::{DeliveryStatus, MessageRef};
use canopy_shared::standard::status::StatusEvent;
use serde::Deserialize;
use std::collections::HashMap;

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct SmsEvent {
    event_type: String,
    #[serde(default)]
    event_timestamp: Option<i64>,
    #[serde(default)]
    context: HashMap<String, String>,
}

/// Our status for an event type: `None` for the in-flight ones we do not show.
fn status_of(event_type: &str) -> Option<(DeliveryStatus, Option<&'static str>)> {
    Some(match event_type {
        "TEXT_DELIVERED" => (DeliveryStatus::Delivered, None),
        "TEXT_SUCCESSFUL" => (DeliveryStatus::Sent, None),
        "TEXT_INVALID" | "TEXT_INVALID_MESSAGE" => (DeliveryStatus::Failed, Some("invalid")),
        "TEXT_UNREACHABLE" | "TEXT_CARRIER_UNREACHABLE" => {
            (DeliveryStatus::Failed, Some("unreachable"))
        }
        "TEXT_BLOCKED" | "TEXT_CARRIER_BLOCKED" | "TEXT_SPAM" => {
            (DeliveryStatus::Failed, Some("blocked"))
        }
        "TEXT_TTL_EXPIRED" => (DeliveryStatus::Failed, Some("expired")),
        "TEXT_OPTED_OUT" | "TEXT_PROTECT_BLOCKED" => (DeliveryStatus::Failed, Some("opted_out")),
        "TEXT_UNKNOWN" => (DeliveryStatus::Failed, Some("unknown")),
        _ => return None,
    })
}

pub fn parse(value: serde_json::Value, now_ms: i64) -> Result<Parsed, Unreadable> {
    let event: SmsEvent = serde_json::from_value(value)
        .map_err(|_| Unreadable("SMS event has an unexpected shape"))?;
    let Some((status, reason)) = status_of(&event.event_type) else {
        return Ok(Parsed::Untracked);
    };
    let ctx = &event.context;
    let (Some(org_id), Some(conversation_id), Some(message_id)) = (
        crate::id_in(ctx.get("org_id")),
        crate::id_in(ctx.get("conversation_id")),
        crate::id_in(ctx.get("message_id")),
    ) else {
        return Err(Unreadable("SMS event without our ids in its context"));
    };
    Ok(Parsed::Status(StatusEvent {
        org_id,
        message: MessageRef {
            conversation_id,
            message_id,
        },
        status,
        reason: reason.map(str::to_string),
        at_ms: event.event_timestamp.unwrap_or(now_ms),
        recipient: None,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event(kind: &str) -> serde_json::Value {
        serde_json::json!({
            "eventType": kind, "eventVersion": "1.0", "eventTimestamp": 1_700_000_000_000i64,
            "isFinal": true, "messageId": "abc", "messageStatus": "DELIVERED",
            "destinationPhoneNumber": "+12025550100",
            "context": {
                "org_id": "org_01JD0000000000000000000000",
                "conversation_id": "conv_01JD0000000000000000000000",
                "message_id": "msg_01JD0000000000000000000000"
            }
        })
    }

    #[test]
    fn delivered_and_failed_events_name_their_message() {
        let Ok(Parsed::Status(s)) = parse(event("TEXT_DELIVERED"), 0) else {
            panic!("not parsed")
        };
        assert_eq!(s.status, DeliveryStatus::Delivered);
        assert_eq!(s.at_ms, 1_700_000_000_000);
        assert_eq!(
            s.message.message_id.to_string(),
            "msg_01JD0000000000000000000000"
        );
        let Ok(Parsed::Status(f)) = parse(event("TEXT_CARRIER_UNREACHABLE"), 0) else {
            panic!("not parsed")
        };
        assert_eq!(
            (f.status, f.reason.as_deref()),
            (DeliveryStatus::Failed, Some("unreachable"))
        );
    }

    #[test]
    fn in_flight_events_change_nothing_and_foreign_ones_are_unreadable() {
        assert_eq!(parse(event("TEXT_PENDING"), 0), Ok(Parsed::Untracked));
        let mut foreign = event("TEXT_DELIVERED");
        foreign["context"] = serde_json::json!({});
        assert!(parse(foreign, 0).is_err());
    }
}
