//! What callers see of a conversation. Staff see routing and identity fields; patients see
//! only what they need (minimum necessary): no tags, link, identity check or contact ids.

use canopy_shared::conversations::ConversationItem;
use canopy_shared::domain::time::rfc3339;
use canopy_shared::http::Caller;
use serde_json::{json, Value};

pub fn details(meta: &ConversationItem, caller: &Caller) -> Value {
    let participants: Vec<Value> = meta
        .participants
        .iter()
        .map(|p| {
            json!({
                "id": p.id,
                "kind": p.kind,
                "name": p.name,
                "last_read_at": meta.reads.get(&p.id.to_string()).map(|r| rfc3339(r.at)),
            })
        })
        .collect();
    let mut v = json!({
        "id": meta.id,
        "kind": meta.kind,
        "subject": meta.subject,
        "state": meta.state,
        "read_only": meta.read_only,
        "participants": participants,
        "message_count": meta.message_count,
        "unread_count": meta.unread_for(&caller.account_id),
        "last_message_at": meta.last_message_at.map(rfc3339),
        "created_at": rfc3339(meta.created_at),
    });
    if meta.channel.is_some() {
        v["channel"] = json!(meta.channel);
        // Sending standard (SMS/email) messages comes with a later change.
        v["delivery"] = json!("pending");
    }
    if caller.role.is_staff() {
        v["tags"] = json!(meta.tags);
        v["link_id"] = json!(meta.link_id);
        v["identity"] = json!(meta.identity);
        v["contact_match"] = json!(meta.contact_match);
        v["contact_ids"] = json!(meta.contact_ids);
    }
    v
}

/// An inbox row (API.md's fields); patients get theirs without tags and link.
pub fn inbox_row(meta: &ConversationItem, caller: &Caller) -> Value {
    let mut v = meta.inbox_view(&caller.account_id);
    if !caller.role.is_staff() {
        if let Some(o) = v.as_object_mut() {
            o.remove("tags");
            o.remove("link_id");
        }
    }
    v
}
