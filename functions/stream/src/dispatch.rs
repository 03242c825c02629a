//! Which handler a stream record is for, from its event name, keys and new image.

use aws_lambda_events::event::dynamodb::EventRecord;
use canopy_shared::domain::ids::{ConversationId, MessageId};
use canopy_shared::standard::model::{DeliveryStatus, Direction, MessageRef};
use serde::Deserialize;

/// The work one record asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Work {
    /// A new outbound message in a standard conversation, still queued: send it.
    SendStandard(MessageRef),
    /// Nothing for this consumer (the filter let it through for another handler, or the
    /// local emulation was run without the filter).
    Ignore,
    /// Not the shape we wrote: logged (without PHI) and skipped.
    Malformed(&'static str),
}

#[derive(Deserialize)]
struct Delivery {
    status: DeliveryStatus,
}

/// The fields of a message item the dispatcher reads (never the text).
#[derive(Deserialize)]
struct NewMessage {
    id: MessageId,
    conversation_id: ConversationId,
    #[serde(default)]
    direction: Option<Direction>,
    #[serde(default)]
    delivery: Option<Delivery>,
}

pub fn classify(record: &EventRecord) -> Work {
    if record.event_name != "INSERT" {
        return Work::Ignore;
    }
    let sk = match record.change.keys.get("sk") {
        Some(serde_dynamo::AttributeValue::S(sk)) => sk.as_str(),
        _ => return Work::Malformed("no string sort key"),
    };
    if !sk.starts_with("M#") {
        return Work::Ignore;
    }
    let message: NewMessage = match serde_dynamo::from_item(record.change.new_image.clone()) {
        Ok(m) => m,
        Err(_) => return Work::Malformed("message image has an unexpected shape"),
    };
    match (message.direction, message.delivery) {
        (
            Some(Direction::Outbound),
            Some(Delivery {
                status: DeliveryStatus::Queued,
            }),
        ) => Work::SendStandard(MessageRef {
            conversation_id: message.conversation_id,
            message_id: message.id,
        }),
        _ => Work::Ignore,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use aws_lambda_events::event::dynamodb::Event;

    fn record(event_name: &str, image: serde_json::Value) -> EventRecord {
        let json = serde_json::json!({"Records": [{
            "eventID": "1", "eventName": event_name, "eventVersion": "1.1",
            "eventSource": "aws:dynamodb", "awsRegion": "us-east-1",
            "dynamodb": {
                "Keys": {"pk": image["pk"].clone(), "sk": image["sk"].clone()},
                "NewImage": image, "SequenceNumber": "100", "SizeBytes": 10,
                "StreamViewType": "NEW_AND_OLD_IMAGES"
            }
        }]});
        let event: Event = serde_json::from_value(json).unwrap();
        event.records.into_iter().next().unwrap()
    }

    fn message(direction: &str, status: Option<&str>) -> serde_json::Value {
        let c = ConversationId::generate();
        let m = MessageId::generate();
        let mut image = serde_json::json!({
            "pk": {"S": format!("CONV#{c}")}, "sk": {"S": format!("M#{m}")},
            "id": {"S": m.to_string()}, "conversation_id": {"S": c.to_string()},
            "text": {"S": "hello"}, "direction": {"S": direction},
        });
        if let Some(s) = status {
            image["delivery"] =
                serde_json::json!({"M": {"status": {"S": s}, "updated_at": {"N": "1"}}});
        }
        image
    }

    #[test]
    fn a_new_queued_outbound_message_is_sent() {
        assert!(matches!(
            classify(&record("INSERT", message("outbound", Some("queued")))),
            Work::SendStandard(_)
        ));
    }

    #[test]
    fn other_records_are_not_sent() {
        assert_eq!(
            classify(&record("MODIFY", message("outbound", Some("queued")))),
            Work::Ignore
        );
        assert_eq!(
            classify(&record("INSERT", message("outbound", Some("sent")))),
            Work::Ignore
        );
        assert_eq!(
            classify(&record("INSERT", message("inbound", None))),
            Work::Ignore
        );
        assert_eq!(
            classify(&record("INSERT", message("outbound", None))),
            Work::Ignore,
            "secure"
        );
    }

    #[test]
    fn a_malformed_message_is_skipped_not_retried() {
        let mut image = message("outbound", Some("queued"));
        image["id"] = serde_json::json!({"N": "5"});
        assert!(matches!(
            classify(&record("INSERT", image)),
            Work::Malformed(_)
        ));
    }
}
