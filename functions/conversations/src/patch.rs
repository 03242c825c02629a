//! `PATCH /v1/conversations/{id}`: staff change `read_only` (true: make read-only, false:
//! reactivate), `subject`, `tags`. Reads the meta (404 if the caller may not see it; the
//! roster says which participant rows to update), then one TransactWriteItems: the meta
//! (with the caller's access as its condition), every participant row, the audit item.

use crate::view;
use aws_sdk_dynamodb::types::{TransactWriteItem, Update};
use canopy_shared::adapters::dynamo::{self, keys, s, StoreError};
use canopy_shared::conversations::{self, access_condition, ConversationItem, Expr};
use canopy_shared::domain::ids::ConversationId;
use canopy_shared::http::{
    json, json_body, path_id, request::request_id, ApiError, Caller, HttpResult,
};
use canopy_shared::services::audit::{self, AuditEvent};
use canopy_shared::App;
use lambda_http::Request;
use serde::Deserialize;

const MAX_TAGS: usize = 20;
const MAX_TAG_CHARS: usize = 40;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Body {
    #[serde(default)]
    read_only: Option<bool>,
    /// `null` or "" clears the subject.
    #[serde(default, deserialize_with = "present")]
    subject: Option<Option<String>>,
    #[serde(default)]
    tags: Option<Vec<String>>,
}

/// Distinguishes an absent field (None) from `null` (Some(None)).
fn present<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<Option<String>>, D::Error> {
    Ok(Some(Option::deserialize(d)?))
}

pub async fn handle(app: &App, req: &Request) -> HttpResult {
    let caller = Caller::from_request(req)?;
    caller.staff_org()?;
    let conversation: ConversationId = path_id(req, "id", "conversation")?;
    let body: Body = json_body(req)?;
    if body.read_only.is_none() && body.subject.is_none() && body.tags.is_none() {
        return Err(ApiError::new(
            400,
            "nothing_to_change",
            "Give at least one of read_only, subject, tags.",
        ));
    }
    let subject = match body.subject {
        None => None,
        Some(raw) => Some(clean_subject(raw)?),
    };
    let tags = body.tags.map(clean_tags).transpose()?;
    let mut meta = conversations::get(app, &conversation)
        .await?
        .filter(|m| conversations::visible_to(m, &caller))
        .ok_or_else(|| ApiError::not_found("conversation"))?;

    // The meta: SET only what was given, under the caller's access condition.
    let mut e = Expr::default();
    access_condition(&mut e, &caller);
    e.name("#pk", "pk").and("attribute_exists(#pk)");
    let mut sets = Vec::new();
    if let Some(ro) = body.read_only {
        e.name("#ro", "read_only").value(":ro", dynamo::bool_av(ro));
        sets.push("#ro = :ro");
        meta.read_only = ro;
    }
    if let Some(subj) = &subject {
        e.name("#subject", "subject").value(
            ":subject",
            subj.clone()
                .map_or(aws_sdk_dynamodb::types::AttributeValue::Null(true), s),
        );
        sets.push("#subject = :subject");
        meta.subject = subj.clone();
    }
    if let Some(t) = &tags {
        e.name("#tags", "tags").value(
            ":tags",
            aws_sdk_dynamodb::types::AttributeValue::L(t.iter().cloned().map(s).collect()),
        );
        sets.push("#tags = :tags");
        meta.tags = t.clone();
    }
    let update =
        |key: dynamo::Item, set: String, e: &Expr| -> Result<TransactWriteItem, StoreError> {
            let u = Update::builder()
                .table_name(app.table())
                .set_key(Some(key))
                .update_expression(set)
                .condition_expression(e.text.clone())
                .set_expression_attribute_names(e.names_opt())
                .set_expression_attribute_values(e.values_opt())
                .build()
                .map_err(|err| StoreError::Other(err.to_string()))?;
            Ok(TransactWriteItem::builder().update(u).build())
        };
    let mut writes = vec![update(
        ConversationItem::key_for(&conversation),
        format!("SET {}", sets.join(", ")),
        &e,
    )?];

    // Participant rows mirror read_only and subject (tags are practice-internal).
    let mut row = Expr::default();
    row.name("#pk", "pk").and("attribute_exists(#pk)");
    let mut row_sets = Vec::new();
    if let Some(ro) = body.read_only {
        row.name("#ro", "read_only")
            .value(":ro", dynamo::bool_av(ro));
        row_sets.push("#ro = :ro");
    }
    if let Some(subj) = &subject {
        row.name("#subject", "subject").value(
            ":subject",
            subj.clone()
                .map_or(aws_sdk_dynamodb::types::AttributeValue::Null(true), s),
        );
        row_sets.push("#subject = :subject");
    }
    if !row_sets.is_empty() {
        for p in &meta.participants {
            writes.push(update(
                dynamo::key(
                    keys::conversation_pk(&conversation),
                    keys::participant_sk(&p.id),
                ),
                format!("SET {}", row_sets.join(", ")),
                &row,
            )?);
        }
    }
    writes.push(audit::in_transaction(
        app,
        &AuditEvent {
            actor: Some(&caller.account_id),
            role: Some(caller.role),
            org: caller.org_id.as_ref(),
            action: "conversation.update",
            targets: vec![conversation.to_string()],
            request_id: &request_id(req),
            outcome: "ok",
        },
    )?);
    match dynamo::with_conflict_retry(|| {
        let writes = writes.clone();
        async move {
            app.db
                .transact_write_items()
                .set_transact_items(Some(writes))
                .send()
                .await
                .map_err(StoreError::from)
        }
    })
    .await
    {
        Ok(_) => json(200, &view::details(&meta, &caller)),
        // The meta vanished or the caller lost access between the read and the write.
        Err(err) if err.failed_at(0) => Err(ApiError::not_found("conversation")),
        Err(err) => Err(err.into()),
    }
}

fn clean_subject(raw: Option<String>) -> Result<Option<String>, ApiError> {
    let Some(s) = raw.map(|s| s.trim().to_string()).filter(|s| !s.is_empty()) else {
        return Ok(None);
    };
    if s.chars().count() > 200 || s.chars().any(char::is_control) {
        return Err(ApiError::invalid(
            "subject",
            "must be at most 200 characters, without control characters",
        ));
    }
    Ok(Some(s))
}

fn clean_tags(raw: Vec<String>) -> Result<Vec<String>, ApiError> {
    let mut tags: Vec<String> = Vec::new();
    for (i, t) in raw.into_iter().enumerate() {
        let t = t.trim().to_string();
        if t.is_empty() || t.chars().count() > MAX_TAG_CHARS || t.chars().any(char::is_control) {
            return Err(ApiError::invalid(
                &format!("tags[{i}]"),
                "must be 1 to 40 characters",
            ));
        }
        if !tags.contains(&t) {
            tags.push(t);
        }
    }
    if tags.len() > MAX_TAGS {
        return Err(ApiError::invalid("tags", "at most 20 tags"));
    }
    Ok(tags)
}
