//! `GET /v1/conversations/{id}/messages/{message_id}`: the message, who sent it, and who
//! has seen it with the exact time each reader's horizon first reached it.
//!
//! The meta (authorization, names), the message, and the receipts at or after it
//! (`R#m` … `R#~`, ascending) are read concurrently, with the audit write. Horizons only
//! move forward, so receipts sorted by message are also sorted by time per reader: the
//! first receipt of a reader at or after `R#m` is when they first reached m.

use canopy_shared::adapters::dynamo::{self, keys, s, StoreError};
use canopy_shared::conversations::{self, ConversationItem};
use canopy_shared::domain::ids::{AccountId, ConversationId, MessageId};
use canopy_shared::domain::time::rfc3339;
use canopy_shared::http::{json, path_id, request::request_id, ApiError, Caller, HttpResult};
use canopy_shared::messages::{MessageItem, ReceiptItem};
use canopy_shared::practice::AccountItem;
use canopy_shared::services::audit::{self, AuditEvent};
use canopy_shared::App;
use lambda_http::Request;
use serde_json::json;
use std::collections::BTreeMap;

pub async fn handle(app: &App, req: &Request) -> HttpResult {
    let caller = Caller::from_request(req)?;
    let conversation: ConversationId = path_id(req, "id", "conversation")?;
    let message_id: MessageId = path_id(req, "message_id", "message")?;
    let rid = request_id(req);
    let pk = keys::conversation_pk(&conversation);
    let message = app
        .db
        .get_item()
        .table_name(app.table())
        .set_key(Some(dynamo::key(pk.clone(), keys::message_sk(&message_id))))
        .consistent_read(true)
        .send();
    let event = AuditEvent {
        actor: Some(&caller.account_id),
        role: Some(caller.role),
        org: caller.org_id.as_ref(),
        action: "message.read",
        targets: vec![conversation.to_string(), message_id.to_string()],
        request_id: &rid,
        outcome: "requested",
    };
    let (meta, message, receipts, audited) = tokio::join!(
        conversations::get(app, &conversation),
        message,
        receipts_from(app, &pk, &message_id),
        audit::record(app, &event)
    );
    let meta = meta?
        .filter(|m| conversations::visible_to(m, &caller))
        .ok_or_else(|| ApiError::not_found("conversation"))?;
    audited?;
    let message: MessageItem = message
        .map_err(StoreError::from)?
        .item
        .map(dynamo::from_item)
        .transpose()?
        .ok_or_else(|| ApiError::not_found("message"))?;

    let mut first_seen: BTreeMap<AccountId, i64> = BTreeMap::new();
    for r in receipts? {
        if r.reader != message.sender_id {
            first_seen.entry(r.reader).or_insert(r.at);
        }
    }
    let mut wanted: Vec<AccountId> = first_seen.keys().copied().collect();
    wanted.push(message.sender_id);
    let names = names(app, &meta, &wanted).await?;
    let name_of = |a: &AccountId| names.get(a).cloned().unwrap_or_default();
    let mut seen: Vec<(i64, AccountId)> = first_seen.iter().map(|(a, at)| (*at, *a)).collect();
    seen.sort();
    let mut body = message.view();
    body["sent_by"] = json!({"id": message.sender_id, "name": name_of(&message.sender_id)});
    body["seen_by"] = seen
        .iter()
        .map(|(at, a)| json!({"id": a, "name": name_of(a), "seen_at": rfc3339(*at)}))
        .collect();
    json(200, &body)
}

async fn receipts_from(
    app: &App,
    pk: &str,
    message: &MessageId,
) -> Result<Vec<ReceiptItem>, StoreError> {
    let mut all = Vec::new();
    let mut start = None;
    loop {
        let page = app
            .db
            .query()
            .table_name(app.table())
            .key_condition_expression("#pk = :pk AND #sk BETWEEN :lo AND :hi")
            .expression_attribute_names("#pk", "pk")
            .expression_attribute_names("#sk", "sk")
            .expression_attribute_values(":pk", s(pk))
            .expression_attribute_values(":lo", s(format!("{}{message}", keys::RECEIPT_PREFIX)))
            .expression_attribute_values(":hi", s(format!("{}~", keys::RECEIPT_PREFIX)))
            .consistent_read(true)
            .set_exclusive_start_key(start)
            .send()
            .await?;
        all.extend(dynamo::from_items::<ReceiptItem>(
            page.items.unwrap_or_default(),
        )?);
        start = page.last_evaluated_key;
        if start.is_none() {
            return Ok(all);
        }
    }
}

/// Display names: participants from the meta, anyone else (staff reading a conversation
/// they see through its link) from their account profile, in one BatchGetItem.
async fn names(
    app: &App,
    meta: &ConversationItem,
    wanted: &[AccountId],
) -> Result<BTreeMap<AccountId, String>, StoreError> {
    let mut names: BTreeMap<AccountId, String> = meta
        .participants
        .iter()
        .map(|p| (p.id, p.name.clone()))
        .collect();
    let missing: Vec<AccountId> = wanted
        .iter()
        .filter(|a| !names.contains_key(a))
        .copied()
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .collect();
    let account_keys = missing.iter().map(AccountItem::key).collect();
    let items = dynamo::batch_get(&app.db, app.table(), account_keys, false).await?;
    for account in dynamo::from_items::<AccountItem>(items)? {
        names.insert(account.id, account.name.as_str().to_string());
    }
    Ok(names)
}
