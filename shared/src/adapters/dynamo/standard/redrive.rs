//! The re-drive index of queued outbound messages (GSI3 `SEND#DUE` / `<due>#c#m`, written
//! by the post on the message item itself, `conversations::items::MessageItem`): the
//! Query of what fell due, and the lease that takes one message for one attempt.

use super::outbound::message_key;
use crate::adapters::dynamo::due_index::due_items;
use crate::adapters::dynamo::{from_item, keys, s, Dynamo, Expr, StoreError};
use crate::domain::ids::{ConversationId, MessageId};
use crate::standard::model::{DeliveryStatus, DueSend, MessageRef};
use serde::Deserialize;

/// The fields of an indexed message the sweep needs (the index projects the whole item).
#[derive(Deserialize)]
struct DueItem {
    id: MessageId,
    conversation_id: ConversationId,
    sent_at: i64,
    gsi3sk: String,
}

pub(super) async fn due_sends(
    store: &Dynamo,
    now_ms: i64,
    limit: i32,
) -> Result<Vec<DueSend>, StoreError> {
    let items = due_items(store, keys::SENDS_DUE_PK, now_ms, limit).await?;
    let mut due = Vec::new();
    for item in items {
        let d: DueItem = from_item(item)?;
        let due_ms = d
            .gsi3sk
            .split('#')
            .next()
            .and_then(|ms| ms.parse().ok())
            .ok_or_else(|| StoreError::Corrupt(format!("re-drive key {}", d.gsi3sk)))?;
        due.push(DueSend {
            message: MessageRef {
                conversation_id: d.conversation_id,
                message_id: d.id,
            },
            due_ms,
            posted_ms: d.sent_at,
        });
    }
    Ok(due)
}

pub(super) async fn lease_send(
    store: &Dynamo,
    due: &DueSend,
    until_ms: i64,
) -> Result<bool, StoreError> {
    let (c, m) = (&due.message.conversation_id, &due.message.message_id);
    let mut e = Expr::new("#g3sk = :due AND #d.#st = :queued");
    e.name("#g3sk", "gsi3sk")
        .name("#d", "delivery")
        .name("#st", "status")
        .value(":due", s(keys::send_due_sk(due.due_ms, c, m)))
        .value(":until", s(keys::send_due_sk(until_ms, c, m)))
        .value(":queued", s(DeliveryStatus::Queued.as_str()));
    store
        .update_if(message_key(&due.message), "SET #g3sk = :until", e)
        .await
}
