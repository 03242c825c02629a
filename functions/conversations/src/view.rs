//! What callers see of a conversation. Staff see routing and identity fields; patients see
//! only what they need (minimum necessary): no tags, link, identity check or contact ids.

use canopy_shared::conversations::{Conversation, ConversationKind};
use canopy_shared::domain::time::rfc3339;
use canopy_shared::http::Caller;
use serde_json::{json, Value};

pub fn details(c: &Conversation, caller: &Caller) -> Value {
    let participants: Vec<Value> = c
        .participants
        .iter()
        .map(|p| {
            json!({
                "id": p.id,
                "kind": p.kind,
                "name": p.name,
                "last_read_at": c.reads.get(&p.id.to_string()).map(|r| rfc3339(r.at)),
            })
        })
        .collect();
    let mut v = json!({
        "id": c.id,
        "kind": c.kind,
        "subject": c.subject,
        "state": c.state,
        "read_only": c.read_only,
        "participants": participants,
        "message_count": c.message_count,
        "unread_count": c.unread_for(&caller.account_id),
        "last_message_at": c.last_message_at.map(rfc3339),
        "created_at": rfc3339(c.created_at),
    });
    if c.channel.is_some() {
        // API.md "Standard conversations": channel, to, opted_out (with opted_out_at).
        v["channel"] = json!(c.channel);
        v["to"] = json!(c.to);
        v["opted_out"] = json!(c.opted_out);
        v["opted_out_at"] = json!(c.opted_out_at.map(rfc3339));
    }
    if caller.role.is_staff() {
        v["tags"] = json!(c.tags);
        v["link_id"] = json!(c.link_id);
        v["identity"] = json!(c.identity);
        v["contact_match"] = json!(c.contact_match);
        v["contact_ids"] = json!(c.contact_ids);
        // API.md "Standard conversations": after a `secure-invite` and the patient's signup
        // the two point at each other; null until then (or when never invited from one).
        // Staff only: a patient cannot open the standard conversation.
        match c.kind {
            ConversationKind::Standard => {
                v["secure_conversation_id"] = json!(c.secure_conversation_id)
            }
            ConversationKind::Secure => {
                v["standard_conversation_id"] = json!(c.standard_conversation_id)
            }
        }
    }
    v
}

/// An inbox row (API.md's fields); patients get theirs without tags and link.
pub fn inbox_row(c: &Conversation, caller: &Caller) -> Value {
    let mut v = json!({
        "id": c.id,
        "kind": c.kind,
        "subject": c.subject,
        "tags": c.tags,
        "read_only": c.read_only,
        "state": c.state,
        "link_id": c.link_id,
        "last_message_at": c.last_message_at.map(rfc3339),
        "preview": c.preview,
        "unread_count": c.unread_for(&caller.account_id),
    });
    if !caller.role.is_staff() {
        if let Some(o) = v.as_object_mut() {
            o.remove("tags");
            o.remove("link_id");
        }
    }
    v
}
