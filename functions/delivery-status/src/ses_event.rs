//! SES sending events (configuration set event destination → SNS):
//! `{eventType: Send|Delivery|Bounce|Complaint|Reject|…, mail: {messageId, tags: {name:
//! [value]}}, bounce: {bounceType, bouncedRecipients: [{emailAddress}]}, complaint:
//! {complainedRecipients: [{emailAddress}]}}`. Older notification payloads say
//! `notificationType` instead of `eventType`; both are read.

use crate::{Parsed, Unreadable};
use canopy_shared::domain::contact_info::EmailAddress;
use canopy_shared::standard::model::{Address, DeliveryStatus, MessageRef};
use canopy_shared::standard::status::StatusEvent;
use serde::Deserialize;
use std::collections::HashMap;

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct SesEvent {
    #[serde(default, alias = "notificationType")]
    event_type: String,
    mail: Mail,
    #[serde(default)]
    bounce: Option<Bounce>,
    #[serde(default)]
    complaint: Option<Complaint>,
}

#[derive(Deserialize)]
struct Mail {
    #[serde(default)]
    tags: HashMap<String, Vec<String>>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Bounce {
    bounce_type: String,
    #[serde(default)]
    bounced_recipients: Vec<Recipient>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Complaint {
    #[serde(default)]
    complained_recipients: Vec<Recipient>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Recipient {
    email_address: String,
}

fn recipient(list: &[Recipient]) -> Option<Address> {
    list.first()
        .and_then(|r| EmailAddress::parse(&r.email_address).ok())
        .map(Address::Email)
}

pub fn parse(value: serde_json::Value, now_ms: i64) -> Result<Parsed, Unreadable> {
    let event: SesEvent = serde_json::from_value(value)
        .map_err(|_| Unreadable("SES event has an unexpected shape"))?;
    let (status, reason, to) = match event.event_type.as_str() {
        "Delivery" => (DeliveryStatus::Delivered, None, None),
        "Bounce" => {
            let bounce = event
                .bounce
                .as_ref()
                .ok_or(Unreadable("Bounce without bounce"))?;
            // A transient bounce (mailbox full, …) is retried by SES: not final yet.
            if bounce.bounce_type != "Permanent" {
                return Ok(Parsed::Untracked);
            }
            let to = recipient(&bounce.bounced_recipients);
            (DeliveryStatus::Bounced, Some("bounced".to_string()), to)
        }
        "Complaint" => {
            let complaint = event
                .complaint
                .as_ref()
                .ok_or(Unreadable("Complaint without complaint"))?;
            let to = recipient(&complaint.complained_recipients);
            (
                DeliveryStatus::Complained,
                Some("complained".to_string()),
                to,
            )
        }
        "Reject" | "RenderingFailure" => {
            (DeliveryStatus::Failed, Some("rejected".to_string()), None)
        }
        _ => return Ok(Parsed::Untracked),
    };
    let tags = &event.mail.tags;
    let tag = |name: &str| tags.get(name).and_then(|v| v.first());
    let (Some(org_id), Some(conversation_id), Some(message_id)) = (
        crate::id_in(tag("org_id")),
        crate::id_in(tag("conversation_id")),
        crate::id_in(tag("message_id")),
    ) else {
        return Err(Unreadable("SES event without our tags"));
    };
    Ok(Parsed::Status(StatusEvent {
        org_id,
        message: MessageRef {
            conversation_id,
            message_id,
        },
        status,
        reason,
        at_ms: now_ms,
        recipient: to,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event(kind: &str, extra: serde_json::Value) -> serde_json::Value {
        let mut e = serde_json::json!({
            "eventType": kind,
            "mail": {"messageId": "ses-1", "tags": {
                "org_id": ["org_01JD0000000000000000000000"],
                "conversation_id": ["conv_01JD0000000000000000000000"],
                "message_id": ["msg_01JD0000000000000000000000"],
                "ses:configuration-set": ["canopy"]
            }}
        });
        if let (Some(map), Some(more)) = (e.as_object_mut(), extra.as_object()) {
            map.extend(more.clone());
        }
        e
    }

    #[test]
    fn a_permanent_bounce_names_the_address_to_opt_out() {
        let bounce = event(
            "Bounce",
            serde_json::json!({"bounce": {"bounceType": "Permanent",
            "bouncedRecipients": [{"emailAddress": "Ann@Example.com"}]}}),
        );
        let Ok(Parsed::Status(s)) = parse(bounce, 5) else {
            panic!("not parsed")
        };
        assert_eq!(s.status, DeliveryStatus::Bounced);
        assert_eq!(
            s.recipient.map(|a| a.key()).as_deref(),
            Some("ann@example.com")
        );
    }

    #[test]
    fn transient_bounces_and_send_events_change_nothing() {
        let soft = event(
            "Bounce",
            serde_json::json!({"bounce": {"bounceType": "Transient", "bouncedRecipients": []}}),
        );
        assert_eq!(parse(soft, 0), Ok(Parsed::Untracked));
        assert_eq!(
            parse(event("Send", serde_json::json!({})), 0),
            Ok(Parsed::Untracked)
        );
        let Ok(Parsed::Status(d)) = parse(event("Delivery", serde_json::json!({})), 0) else {
            panic!("not parsed")
        };
        assert_eq!(d.status, DeliveryStatus::Delivered);
    }
}
