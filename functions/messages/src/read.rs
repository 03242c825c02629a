//! `POST /v1/conversations/{id}/read`: moves the caller's read horizon forward.
//!
//! One horizon per reader lives on the meta (`reads.<acct>` = {through, at} and
//! `read_counts.<acct>`), so a read is one write whatever the number of messages it covers
//! or the size of the group. The common case (the reader reached the newest message) is one
//! TransactWriteItems:
//!
//! | # | item | condition |
//! |---|---|---|
//! | 0 | ConditionCheck `M#m` | exists (a message of this conversation) |
//! | 1 | Update meta `SET reads.me = {m, now}, read_counts.me = message_count` | caller may see it, `last_message_id = :m`, horizon absent or `< :m` |
//! | 2 | Put receipt `R#m#me` {from, through, at} | |
//! | 3 | Put audit item | |
//!
//! Copying `message_count` is exact because ids are in commit order (see
//! `canopy_shared::messages`): when `last_message_id = m`, the count is the number of
//! messages up to m. When item 1 fails, the meta is read (2nd round trip): an id at or
//! behind the horizon is a no-op answered with the current state; an older-than-newest id
//! takes the rare path: count the messages in (horizon, m] with a COUNT Query (3rd) and
//! write with the horizon itself as the condition (4th). Read-only conversations still
//! accept receipts.

use crate::tx;
use aws_sdk_dynamodb::types::Select;
use canopy_shared::adapters::dynamo::{self, keys, n, put, s, to_item, StoreError};
use canopy_shared::conversations::{self, access_condition, ConversationItem, Expr, ReadState};
use canopy_shared::domain::ids::{ConversationId, MessageId};
use canopy_shared::http::{
    json, json_body, path_id, request::request_id, ApiError, Caller, HttpResult,
};
use canopy_shared::messages::ReceiptItem;
use canopy_shared::services::audit::{self, AuditEvent};
use canopy_shared::App;
use lambda_http::Request;
use serde::Deserialize;
use serde_json::json;

#[derive(Deserialize)]
struct Body {
    message_id: MessageId,
}

const ATTEMPTS: usize = 5;

/// How item 1 decides the new count.
enum Count {
    /// Fast path: copy `message_count`, conditioned on `last_message_id = m`.
    CopyNewest,
    /// Rare path: a computed count, conditioned on the previous horizon.
    Exact {
        count: i64,
        previous: Option<MessageId>,
    },
}

pub async fn handle(app: &App, req: &Request) -> HttpResult {
    let caller = Caller::from_request(req)?;
    let conversation: ConversationId = path_id(req, "id", "conversation")?;
    let body: Body = json_body(req)?;
    let m = body.message_id;
    let rid = request_id(req);
    let mut how = Count::CopyNewest;
    let mut previous_known: Option<Option<MessageId>> = None;
    for _ in 0..ATTEMPTS {
        let writes = writes(app, &caller, &conversation, &m, &how, previous_known, &rid)?;
        match tx::send(app, writes).await {
            // m was the newest message when the horizon reached it.
            Ok(()) if matches!(how, Count::CopyNewest) => return answer(&m, 0),
            Ok(()) => {
                let meta = load(app, &caller, &conversation).await?;
                return answer(&m, meta.unread_for(&caller.account_id));
            }
            Err(err) if err.failed_at(0) => return Err(ApiError::not_found("message")),
            Err(err) if err.failed_at(1) => {
                let meta = load(app, &caller, &conversation).await?;
                let me = caller.account_id.to_string();
                let horizon = meta.reads.get(&me).map(|r| r.through);
                if horizon.is_some_and(|h| h >= m) {
                    return answer(&horizon.unwrap_or(m), meta.unread_for(&caller.account_id));
                }
                if meta.last_message_id == Some(m) {
                    how = Count::CopyNewest;
                } else {
                    let before = meta.read_counts.get(&me).copied().unwrap_or(0);
                    let between = count_between(app, &conversation, horizon.as_ref(), &m).await?;
                    how = Count::Exact {
                        count: before + between,
                        previous: horizon,
                    };
                }
                previous_known = Some(horizon);
            }
            Err(err) => return Err(err.into()),
        }
    }
    Err(ApiError::unavailable())
}

fn answer(through: &MessageId, unread: i64) -> HttpResult {
    json(
        200,
        &json!({"last_read_message_id": through, "unread_count": unread}),
    )
}

async fn load(
    app: &App,
    caller: &Caller,
    conversation: &ConversationId,
) -> Result<ConversationItem, ApiError> {
    conversations::get(app, conversation)
        .await?
        .filter(|m| conversations::visible_to(m, caller))
        .ok_or_else(|| ApiError::not_found("conversation"))
}

/// Messages with ids in (after, through]: fixed numbers, as no message with a smaller id
/// than a stored one can appear later.
async fn count_between(
    app: &App,
    conversation: &ConversationId,
    after: Option<&MessageId>,
    through: &MessageId,
) -> Result<i64, StoreError> {
    let low = after.map_or_else(|| keys::MESSAGE_PREFIX.to_string(), keys::message_sk);
    let mut total = 0;
    let mut start = None;
    loop {
        let page = app
            .db
            .query()
            .table_name(app.table())
            .key_condition_expression("#pk = :pk AND #sk BETWEEN :lo AND :hi")
            .expression_attribute_names("#pk", "pk")
            .expression_attribute_names("#sk", "sk")
            .expression_attribute_values(":pk", s(keys::conversation_pk(conversation)))
            .expression_attribute_values(":lo", s(low.clone()))
            .expression_attribute_values(":hi", s(keys::message_sk(through)))
            .select(Select::Count)
            .consistent_read(true)
            .set_exclusive_start_key(start)
            .send()
            .await?;
        total += i64::from(page.count);
        start = page.last_evaluated_key;
        if start.is_none() {
            break;
        }
    }
    // BETWEEN is inclusive: the previous horizon's own message was already counted.
    Ok(if after.is_some() { total - 1 } else { total })
}

fn writes(
    app: &App,
    caller: &Caller,
    conversation: &ConversationId,
    m: &MessageId,
    how: &Count,
    previous_known: Option<Option<MessageId>>,
    request_id: &str,
) -> Result<Vec<aws_sdk_dynamodb::types::TransactWriteItem>, StoreError> {
    let now = app.now_ms();
    let me = caller.account_id.to_string();
    let mut e = Expr::default();
    access_condition(&mut e, caller);
    e.name("#pk", "pk")
        .name("#reads", "reads")
        .name("#rcs", "read_counts")
        .name("#me_k", &me)
        .value(
            ":st",
            tx::av(&ReadState {
                through: *m,
                count: 0,
                at: now,
            })?,
        );
    e.and("attribute_exists(#pk)");
    let set = match how {
        Count::CopyNewest => {
            e.name("#through", "through")
                .value(":m", s(m.to_string()))
                .name("#last", "last_message_id")
                .name("#mc", "message_count")
                .and("#last = :m")
                .and("attribute_not_exists(#reads.#me_k) OR #reads.#me_k.#through < :m");
            "SET #reads.#me_k = :st, #rcs.#me_k = #mc"
        }
        Count::Exact { count, previous } => {
            e.value(":count", n(*count));
            match previous {
                None => e.and("attribute_not_exists(#reads.#me_k)"),
                Some(p) => e
                    .name("#through", "through")
                    .value(":prev", s(p.to_string()))
                    .and("#reads.#me_k.#through = :prev"),
            };
            "SET #reads.#me_k = :st, #rcs.#me_k = :count"
        }
    };
    let meta = tx::update(
        app.table(),
        ConversationItem::key_for(conversation),
        set,
        &e,
    )?;
    let receipt = ReceiptItem {
        pk: keys::conversation_pk(conversation),
        sk: keys::receipt_sk(m, &caller.account_id),
        reader: caller.account_id,
        from: previous_known.flatten(),
        through: *m,
        at: now,
    };
    Ok(vec![
        tx::exists(
            app.table(),
            dynamo::key(keys::conversation_pk(conversation), keys::message_sk(m)),
        )?,
        meta,
        put(app.table(), to_item(&receipt)?, None)?,
        audit::in_transaction(
            app,
            &AuditEvent {
                actor: Some(&caller.account_id),
                role: Some(caller.role),
                org: caller.org_id.as_ref(),
                action: "conversation.read_receipt",
                targets: vec![conversation.to_string(), m.to_string()],
                request_id,
                outcome: "ok",
            },
        )?,
    ])
}
