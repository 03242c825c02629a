//! What callers see of a message (API.md's fields).

use canopy_shared::conversations::seen_by::SeenBy;
use canopy_shared::conversations::Message;
use canopy_shared::domain::time::rfc3339;
use serde_json::{json, Value};

pub fn message(m: &Message) -> Value {
    let mut v = json!({
        "id": m.id,
        "conversation_id": m.conversation_id,
        "sender_id": m.sender_id,
        "text": m.text,
        "sent_at": rfc3339(m.sent_at),
    });
    if let Some(d) = m.delivery {
        v["delivery"] = json!(d);
    }
    v
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
