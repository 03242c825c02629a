//! `GET /v1/conversations?link_id=&tag=&limit=&cursor=`: the caller's inbox, newest
//! activity first, with the caller's unread count (from counters) and a short preview.
//!
//! Staff: one Query per page on GSI1 `ORG#o#INBOX` (or GSI2 `LINK#l#INBOX` with
//! `?link_id=`, a link the caller sees), filtered to conversations routed to no link or to
//! a link the caller sees (or that they take part in); `?tag=` adds `contains(tags, :t)`.
//! A filtered page may hold fewer than `limit` items and still have a next cursor.
//!
//! Patients: their participant rows (GSI1 `ACCT#a#INBOX`, one Query: a patient has a
//! handful of conversations) then the metas in one BatchGetItem, sorted by activity: two
//! round trips, because a post does not touch participant rows (it would have to read the
//! roster first). `?link_id=` and `?tag=` are practice-internal and ignored for patients.

use crate::view;
use canopy_shared::adapters::dynamo::{self, cursor, keys, s, StoreError};
use canopy_shared::conversations::{inbox_filter, visible_to, ConversationItem, Expr};
use canopy_shared::domain::ids::{ConversationId, LinkId};
use canopy_shared::http::{json, page_limit, query_param, ApiError, Caller, HttpResult, Page};
use canopy_shared::App;
use lambda_http::Request;

pub async fn handle(app: &App, req: &Request) -> HttpResult {
    let caller = Caller::from_request(req)?;
    let limit = page_limit(req)?;
    let cursor = query_param(req, "cursor");
    // An inbox page shows subjects and previews (PHI), so it is audited like any read:
    // the audit write goes out concurrently with the page's read (its targets are the
    // filters; the conversations themselves are not known until the read returns).
    let request_id = canopy_shared::http::request::request_id(req);
    let filters: Vec<String> = ["link_id", "tag"]
        .iter()
        .filter_map(|f| query_param(req, f).map(|v| format!("{f}={v}")))
        .collect();
    let event = canopy_shared::services::audit::AuditEvent {
        actor: Some(&caller.account_id),
        role: Some(caller.role),
        org: caller.org_id.as_ref(),
        action: "inbox.read",
        targets: filters,
        request_id: &request_id,
        outcome: "ok",
    };
    let listing = async {
        if caller.role.is_staff() {
            staff(app, req, &caller, limit, cursor).await
        } else {
            patient(app, &caller, limit, cursor).await
        }
    };
    let (page, audited) =
        tokio::join!(listing, canopy_shared::services::audit::record(app, &event));
    audited?;
    page
}

fn bad_cursor(_: cursor::BadCursor) -> ApiError {
    ApiError::invalid("cursor", "not valid for this list")
}

async fn staff(
    app: &App,
    req: &Request,
    caller: &Caller,
    limit: i32,
    cursor_text: Option<&str>,
) -> HttpResult {
    let org = caller.staff_org()?;
    let mut e = Expr::default();
    let (index, pk_attr, partition) = match query_param(req, "link_id") {
        Some(raw) => {
            let link: LinkId = raw
                .parse()
                .map_err(|_| ApiError::invalid("link_id", "must be a link id"))?;
            if !caller.sees_link(Some(&link)) {
                return Err(ApiError::not_found("link"));
            }
            (keys::GSI2, "gsi2pk", keys::link_inbox_pk(&link))
        }
        None => {
            inbox_filter(&mut e, caller);
            (keys::GSI1, "gsi1pk", keys::org_inbox_pk(&org))
        }
    };
    if let Some(tag) = query_param(req, "tag") {
        e.name("#tags", "tags")
            .value(":tag", s(tag))
            .and("contains(#tags, :tag)");
    }
    let start = cursor_text
        .map(|c| cursor::decode(c, pk_attr, &partition, "").map_err(bad_cursor))
        .transpose()?;
    e.name("#ipk", pk_attr).value(":ipk", s(partition));
    // A window in which the filter hid everything is read past (bounded), so a page is
    // empty only at the end; normally this is the one Query.
    let mut start = start;
    let mut page;
    let mut reads = 0;
    loop {
        page = app
            .db
            .query()
            .table_name(app.table())
            .index_name(index)
            .key_condition_expression("#ipk = :ipk")
            .set_filter_expression((!e.text.is_empty()).then(|| e.text.clone()))
            .set_expression_attribute_names(e.names_opt())
            .set_expression_attribute_values(e.values_opt())
            .scan_index_forward(false)
            .limit(limit)
            .set_exclusive_start_key(start)
            .send()
            .await
            .map_err(StoreError::from)?;
        reads += 1;
        let hidden_window = page.items().is_empty() && page.last_evaluated_key.is_some();
        if !hidden_window || reads >= 5 {
            break;
        }
        start = page.last_evaluated_key.clone();
    }
    // DynamoDB's LastEvaluatedKey may be a conversation the filter hid from this caller (a
    // link they are not a member of): resume from the last conversation actually shown
    // instead, so a cursor never names a hidden one. Only a page where the filter hid
    // everything falls back to DynamoDB's key.
    let raw_items = page.items.unwrap_or_default();
    let next_cursor = page.last_evaluated_key.as_ref().map(|lek| {
        let index_sk = pk_attr.replacen("pk", "sk", 1);
        let shown = raw_items.last().map(|last| {
            [pk_attr, index_sk.as_str(), "pk", "sk"]
                .iter()
                .filter_map(|k| last.get(*k).map(|v| (k.to_string(), v.clone())))
                .collect::<dynamo::Item>()
        });
        cursor::encode(shown.as_ref().unwrap_or(lek))
    });
    let metas: Vec<ConversationItem> = dynamo::from_items(raw_items)?;
    let items = metas
        .into_iter()
        .map(ConversationItem::with_read_counts)
        .filter(|m| m.org_id == org)
        .map(|m| view::inbox_row(&m, caller))
        .collect();
    json(200, &Page { items, next_cursor })
}

async fn patient(app: &App, caller: &Caller, limit: i32, cursor_text: Option<&str>) -> HttpResult {
    let partition = keys::account_inbox_pk(&caller.account_id);
    // The cursor is the activity key of the last row shown (checked against the partition).
    let after = cursor_text
        .map(|c| cursor::decode(c, "gsi1pk", &partition, "").map_err(bad_cursor))
        .transpose()?
        .and_then(|k| dynamo::get_s(&k, "gsi1sk").map(str::to_string));
    let ids = participant_conversations(app, &partition).await?;
    let meta_keys = ids.iter().map(ConversationItem::key_for).collect();
    let metas: Vec<ConversationItem> =
        dynamo::from_items(dynamo::batch_get(&app.db, app.table(), meta_keys, true).await?)?;
    let mut rows: Vec<(String, ConversationItem)> = metas
        .into_iter()
        .map(ConversationItem::with_read_counts)
        .filter(|m| visible_to(m, caller))
        .map(|m| (keys::activity_sk(m.last_activity, &m.id), m))
        .filter(|(sk, _)| after.as_ref().is_none_or(|a| sk < a))
        .collect();
    rows.sort_by(|a, b| b.0.cmp(&a.0));
    let more = rows.len() > limit as usize;
    rows.truncate(limit as usize);
    let next_cursor = more.then(|| rows.last()).flatten().map(|(sk, _)| {
        cursor::encode(&dynamo::Item::from([
            ("gsi1pk".to_string(), s(partition.clone())),
            ("gsi1sk".to_string(), s(sk.clone())),
        ]))
    });
    json(
        200,
        &Page {
            items: rows
                .iter()
                .map(|(_, m)| view::inbox_row(m, caller))
                .collect(),
            next_cursor,
        },
    )
}

/// The conversation ids of an account's participant rows (all pages; usually one).
async fn participant_conversations(
    app: &App,
    partition: &str,
) -> Result<Vec<ConversationId>, StoreError> {
    let mut ids = Vec::new();
    let mut start = None;
    loop {
        let page = app
            .db
            .query()
            .table_name(app.table())
            .index_name(keys::GSI1)
            .key_condition_expression("#pk = :pk")
            .expression_attribute_names("#pk", "gsi1pk")
            .expression_attribute_names("#c", "conversation_id")
            .expression_attribute_values(":pk", s(partition))
            .projection_expression("#c")
            .set_exclusive_start_key(start)
            .send()
            .await?;
        for item in page.items.unwrap_or_default() {
            if let Some(id) = dynamo::get_s(&item, "conversation_id").and_then(|v| v.parse().ok()) {
                ids.push(id);
            }
        }
        start = page.last_evaluated_key;
        if start.is_none() {
            return Ok(ids);
        }
    }
}
