//! Outbound standard messages: what the stream consumer loads to send (messages, their
//! conversations' metas and practice names, in two BatchGetItems per batch) and the
//! delivery record it moves forward (`queued → sent`, then provider statuses), each one
//! conditional UpdateItem, so a redelivered record or a late status changes nothing. The
//! write that takes a message out of `queued` also takes it out of the re-drive index
//! (`standard::redrive`).

use super::{meta_key, OrgName, StandardMeta};
use crate::adapters::dynamo::expr::Expr;
use crate::adapters::dynamo::{
    batch_get, from_item, get_s, key, keys, n, s, Dynamo, Item, StoreError,
};
use crate::domain::ids::{ConversationId, MessageId};
use crate::ports::standard::DeliveryChange;
use crate::standard::model::{Address, DeliveryStatus, MessageRef, Outbound};
use serde::{Deserialize, Serialize};

/// The delivery record on an outbound standard message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeliveryRecord {
    pub status: DeliveryStatus,
    pub updated_at: i64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub provider_message_id: Option<String>,
}

/// The fields of a message the sender needs.
#[derive(Debug, Deserialize)]
struct QueuedMessage {
    id: MessageId,
    conversation_id: ConversationId,
    text: String,
    #[serde(default)]
    delivery: Option<DeliveryRecord>,
}

/// The queued messages of `refs` and their conversations' metas (strongly consistent).
async fn load_queued(store: &Dynamo, refs: &[MessageRef]) -> Result<Vec<Item>, StoreError> {
    let mut keys_wanted: Vec<Item> = Vec::new();
    for r in refs {
        keys_wanted.push(key(
            keys::conversation_pk(&r.conversation_id),
            keys::message_sk(&r.message_id),
        ));
        let meta = meta_key(&r.conversation_id);
        if !keys_wanted.contains(&meta) {
            keys_wanted.push(meta);
        }
    }
    batch_get(store.client(), store.table(), keys_wanted, true).await
}

/// The batch's messages still to send, with what sending needs (see the module doc).
pub(super) async fn load_outbound(
    store: &Dynamo,
    refs: &[MessageRef],
) -> Result<Vec<Outbound>, StoreError> {
    if refs.is_empty() {
        return Ok(vec![]);
    }
    let items = load_queued(store, refs).await?;
    let (metas, messages): (Vec<Item>, Vec<Item>) = items
        .into_iter()
        .partition(|i| get_s(i, "sk") == Some(keys::CONVERSATION_META_SK));
    let metas: Vec<StandardMeta> = metas.into_iter().map(from_item).collect::<Result<_, _>>()?;
    let mut org_keys: Vec<Item> = Vec::new();
    for m in &metas {
        let k = key(keys::org_pk(&m.org_id), keys::ORG_META_SK);
        if !org_keys.contains(&k) {
            org_keys.push(k);
        }
    }
    let orgs: Vec<OrgName> = batch_get(store.client(), store.table(), org_keys, false)
        .await?
        .into_iter()
        .map(from_item)
        .collect::<Result<_, _>>()?;
    let mut found = Vec::new();
    for item in messages {
        let m: QueuedMessage = from_item(item)?;
        let Some(delivery) = m.delivery else { continue };
        let Some(meta) = metas.iter().find(|x| x.id == m.conversation_id) else {
            continue;
        };
        let (Some(channel), Some(to), Some(from)) =
            (meta.channel, meta.to.clone(), meta.from_address.clone())
        else {
            continue;
        };
        found.push(Outbound {
            org_id: meta.org_id,
            conversation_id: m.conversation_id,
            message_id: m.id,
            text: m.text,
            status: delivery.status,
            from: Address::from_stored(channel, from),
            to: Address::from_stored(channel, to),
            opted_out: meta.opted_out,
            practice_name: orgs
                .iter()
                .find(|o| o.id == meta.org_id)
                .map(|o| o.name.clone())
                .unwrap_or_default(),
        });
    }
    Ok(found)
}

/// `queued → sent` with the provider's id; false when no longer queued.
pub(super) async fn record_sent(
    store: &Dynamo,
    message: &MessageRef,
    provider_id: &str,
    at_ms: i64,
) -> Result<bool, StoreError> {
    let mut e = Expr::new("#d.#st = :queued");
    e.name("#d", "delivery")
        .name("#st", "status")
        .name("#at", "updated_at")
        .name("#pid", "provider_message_id")
        .value(":queued", s(DeliveryStatus::Queued.as_str()))
        .value(":sent", s(DeliveryStatus::Sent.as_str()))
        .value(":now", n(at_ms))
        .value(":pid", s(provider_id));
    store
        .update_if(
            message_key(message),
            "SET #d.#st = :sent, #d.#at = :now, #d.#pid = :pid REMOVE #g3pk, #g3sk",
            leave_due_index(e),
        )
        .await
}

/// A provider status, only from one of its predecessors; false otherwise.
pub(super) async fn advance_delivery(
    store: &Dynamo,
    change: &DeliveryChange,
) -> Result<bool, StoreError> {
    let from = change.status.predecessors();
    if from.is_empty() {
        return Ok(false);
    }
    let mut e = Expr::default();
    e.name("#d", "delivery")
        .name("#st", "status")
        .name("#at", "updated_at")
        .value(":new", s(change.status.as_str()))
        .value(":now", n(change.at_ms));
    let placeholders: Vec<String> = from
        .iter()
        .enumerate()
        .map(|(i, st)| {
            let p = format!(":from{i}");
            e.value(&p, s(st.as_str()));
            p
        })
        .collect();
    e.and(&format!("#d.#st IN ({})", placeholders.join(", ")));
    let mut update = "SET #d.#st = :new, #d.#at = :now".to_string();
    if let Some(reason) = &change.reason {
        e.name("#reason", "reason").value(":reason", s(reason));
        update.push_str(", #d.#reason = :reason");
    }
    // Any move out of `queued` ends the message's wait in the re-drive index (a no-op for
    // the later statuses, which find it gone).
    update.push_str(" REMOVE #g3pk, #g3sk");
    store
        .update_if(message_key(&change.message), &update, leave_due_index(e))
        .await
}

/// Names the re-drive index attributes (`standard::redrive`) the update removes.
fn leave_due_index(mut e: Expr) -> Expr {
    e.name("#g3pk", "gsi3pk").name("#g3sk", "gsi3sk");
    e
}

pub(super) fn message_key(m: &MessageRef) -> Item {
    key(
        keys::conversation_pk(&m.conversation_id),
        keys::message_sk(&m.message_id),
    )
}
