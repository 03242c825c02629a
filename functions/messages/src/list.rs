//! `GET /v1/conversations/{id}/messages?before=&limit=&cursor=`: newest first.
//!
//! One Query per page (`pk = CONV#c AND sk BETWEEN "M#" AND "M#~"`, descending; `before`
//! and `cursor` become the exclusive start key). Whether the caller may see the
//! conversation comes from the meta, read by a GetItem issued concurrently with the Query,
//! and the audit item is written concurrently too: three calls, one round trip of latency.
//! A caller who may not see the conversation gets 404 and nothing of what was read.

use canopy_shared::adapters::dynamo::{self, cursor, keys, s, StoreError};
use canopy_shared::conversations;
use canopy_shared::domain::ids::{ConversationId, MessageId};
use canopy_shared::http::{
    json, page_limit, path_id, query_param, request::request_id, ApiError, Caller, HttpResult, Page,
};
use canopy_shared::messages::MessageItem;
use canopy_shared::services::audit::{self, AuditEvent};
use canopy_shared::App;
use lambda_http::Request;

/// Sorts after every ULID character.
const MESSAGES_END: &str = "M#~";

pub async fn handle(app: &App, req: &Request) -> HttpResult {
    let caller = Caller::from_request(req)?;
    let conversation: ConversationId = path_id(req, "id", "conversation")?;
    let limit = page_limit(req)?;
    let pk = keys::conversation_pk(&conversation);
    let start = match (query_param(req, "cursor"), query_param(req, "before")) {
        (Some(c), _) => Some(
            cursor::decode(c, "pk", &pk, keys::MESSAGE_PREFIX)
                .map_err(|_| ApiError::invalid("cursor", "not valid for this list"))?,
        ),
        (None, Some(b)) => {
            let before: MessageId = b
                .parse()
                .map_err(|_| ApiError::invalid("before", "must be a message id"))?;
            Some(dynamo::key(pk.clone(), keys::message_sk(&before)))
        }
        (None, None) => None,
    };
    let rid = request_id(req);
    let query = app
        .db
        .query()
        .table_name(app.table())
        .key_condition_expression("#pk = :pk AND #sk BETWEEN :lo AND :hi")
        .expression_attribute_names("#pk", "pk")
        .expression_attribute_names("#sk", "sk")
        .expression_attribute_values(":pk", s(pk.clone()))
        .expression_attribute_values(":lo", s(keys::MESSAGE_PREFIX))
        .expression_attribute_values(":hi", s(MESSAGES_END))
        .scan_index_forward(false)
        .limit(limit)
        .set_exclusive_start_key(start)
        .send();
    let event = AuditEvent {
        actor: Some(&caller.account_id),
        role: Some(caller.role),
        org: caller.org_id.as_ref(),
        action: "messages.list",
        targets: vec![conversation.to_string()],
        request_id: &rid,
        outcome: "requested",
    };
    let (meta, page, audited) = tokio::join!(
        conversations::get(app, &conversation),
        query,
        audit::record(app, &event)
    );
    meta?
        .filter(|m| conversations::visible_to(m, &caller))
        .ok_or_else(|| ApiError::not_found("conversation"))?;
    audited?;
    let page = page.map_err(StoreError::from)?;
    let items: Vec<MessageItem> = dynamo::from_items(page.items.unwrap_or_default())?;
    json(
        200,
        &Page {
            items: items.iter().map(MessageItem::view).collect(),
            next_cursor: page.last_evaluated_key.as_ref().map(cursor::encode),
        },
    )
}
