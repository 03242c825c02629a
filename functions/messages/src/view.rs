//! What callers see of a message (API.md's fields).

use canopy_shared::conversations::seen_by::SeenBy;
use canopy_shared::conversations::Message;
use canopy_shared::domain::ids::{ConversationId, MessageId, SenderId};
use canopy_shared::domain::time::rfc3339;
use canopy_shared::standard::model::{DeliveryStatus, Direction};
use serde::Serialize;
use serde_json::{json, Value};

/// A message as API.md shows it, serialised straight from the model: a page of 25 is
/// written without building 25 `serde_json::Value` maps first (their keys and values
/// allocated one by one) only to print them. Fields are declared in alphabetical order,
/// the order a `Value` map prints its keys in, so the bytes are what they were.
#[derive(Serialize)]
pub struct MessageView<'a> {
    attachments: Vec<Value>,
    conversation_id: &'a ConversationId,
    #[serde(skip_serializing_if = "Option::is_none")]
    delivery: Option<DeliveryView<'a>>,
    direction: &'a Direction,
    id: &'a MessageId,
    sender_id: &'a SenderId,
    sent_at: String,
    text: &'a str,
}

#[derive(Serialize)]
struct DeliveryView<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    reason: Option<&'a str>,
    status: &'a DeliveryStatus,
    updated_at: String,
}

impl<'a> MessageView<'a> {
    pub fn of(m: &'a Message) -> Self {
        Self {
            attachments: m.attachments.iter().map(|a| a.view()).collect(),
            conversation_id: &m.conversation_id,
            delivery: m.delivery.as_ref().map(|d| DeliveryView {
                reason: d.reason.as_deref(),
                status: &d.status,
                updated_at: rfc3339(d.updated_at),
            }),
            direction: &m.direction,
            id: &m.id,
            sender_id: &m.sender_id,
            sent_at: rfc3339(m.sent_at),
            text: &m.text,
        }
    }
}

/// The message as a JSON value, for answers that add fields to it ([`seen_by`]).
pub fn message(m: &Message) -> Value {
    serde_json::to_value(MessageView::of(m)).unwrap_or(Value::Null)
}

/// The message with `sent_by` and `seen_by`.
pub fn seen_by(s: &SeenBy) -> Value {
    let mut body = message(&s.message);
    body["sent_by"] = json!({"id": s.sender.id, "name": s.sender.name});
    body["seen_by"] = s
        .seen
        .iter()
        .map(|(r, at)| json!({"id": r.id, "name": r.name, "seen_at": rfc3339(*at)}))
        .collect();
    body
}

#[cfg(test)]
mod tests {
    use super::*;
    use canopy_shared::conversations::message::Delivery;
    use canopy_shared::domain::ids::AccountId;

    /// The `Value` the view was built as before, field by field (API.md's names).
    fn as_value(m: &Message) -> Value {
        let mut v = json!({
            "id": m.id,
            "conversation_id": m.conversation_id,
            "sender_id": m.sender_id,
            "text": m.text,
            "sent_at": rfc3339(m.sent_at),
            "attachments": m.attachments.iter().map(|a| a.view()).collect::<Vec<_>>(),
            "direction": m.direction,
        });
        if let Some(d) = &m.delivery {
            v["delivery"] = json!({"status": d.status, "updated_at": rfc3339(d.updated_at)});
            if let Some(reason) = &d.reason {
                v["delivery"]["reason"] = json!(reason);
            }
        }
        v
    }

    #[test]
    fn the_view_prints_the_same_bytes_as_the_value_it_replaces() {
        let mut m = Message {
            id: MessageId::generate(),
            conversation_id: ConversationId::generate_secure(),
            sender_id: SenderId::Account(AccountId::generate()),
            text: "Results are in \"today\" <b>".into(),
            client_message_id: "c-1".into(),
            sent_at: 1_764_570_000_123,
            direction: Direction::Outbound,
            delivery: None,
            attachments: vec![],
        };
        let same = |m: &Message| {
            assert_eq!(
                serde_json::to_string(&MessageView::of(m)).unwrap(),
                as_value(m).to_string()
            );
            assert_eq!(message(m), as_value(m));
        };
        same(&m);
        m.delivery = Some(Delivery::queued(1_764_570_001_000));
        same(&m);
        m.delivery = Some(Delivery {
            status: DeliveryStatus::Failed,
            updated_at: 1_764_570_002_000,
            reason: Some("carrier refused".into()),
        });
        same(&m);
        assert!(!serde_json::to_string(&MessageView::of(&m))
            .unwrap()
            .contains("client_message_id"));
    }
}
