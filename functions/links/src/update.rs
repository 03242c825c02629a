//! `PATCH /v1/links/{id}`: an owner or admin changes any of `label`, `tags`, `member_ids`,
//! `active`. The link is found on the practice's own GSI1 partition (so another practice's
//! link is a 404), then updated by its code key with a condition that it still belongs to
//! this practice, in one transaction with the audit item. `{}` changes nothing.

use crate::fields;
use aws_sdk_dynamodb::types::{AttributeValue, TransactWriteItem, Update};
use canopy_shared::adapters::dynamo::{bool_av, s, with_conflict_retry, StoreError};
use canopy_shared::domain::ids::{AccountId, LinkId};
use canopy_shared::http::{
    json, json_body, path_id, request::request_id, ApiError, Caller, HttpResult,
};
use canopy_shared::links::{get_by_id, LinkItem};
use canopy_shared::services::audit::{self, AuditEvent};
use canopy_shared::App;
use lambda_http::Request;
use serde::Deserialize;
use std::collections::HashMap;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Body {
    #[serde(default)]
    label: Option<String>,
    #[serde(default)]
    tags: Option<Vec<String>>,
    #[serde(default)]
    member_ids: Option<Vec<AccountId>>,
    #[serde(default)]
    active: Option<bool>,
}

fn strings(values: &[String]) -> AttributeValue {
    AttributeValue::L(values.iter().map(|v| s(v.clone())).collect())
}

pub async fn handle(app: &App, req: &Request) -> HttpResult {
    let caller = Caller::from_request(req)?;
    let org = caller.managing_org()?;
    let id: LinkId = path_id(req, "id", "link")?;
    let body: Body = json_body(req)?;
    let label = body.label.as_deref().map(fields::label).transpose()?;
    let tags = body.tags.as_deref().map(fields::tags).transpose()?;
    let (found, members) = tokio::join!(get_by_id(app, &org, &id), async {
        match &body.member_ids {
            Some(ids) => fields::members(app, &org, ids).await.map(Some),
            None => Ok(None),
        }
    });
    let mut link: LinkItem = found?.ok_or_else(|| ApiError::not_found("link"))?;
    let member_ids = members?;

    let mut sets = Vec::new();
    let mut names = HashMap::from([
        ("#org".to_string(), "org_id".to_string()),
        ("#id".to_string(), "id".to_string()),
    ]);
    let mut values = HashMap::from([
        (":org".to_string(), s(org.to_string())),
        (":id".to_string(), s(id.to_string())),
    ]);
    let mut set = |name: &str, attr: &str, value: AttributeValue| {
        sets.push(format!("#{name} = :{name}"));
        names.insert(format!("#{name}"), attr.to_string());
        values.insert(format!(":{name}"), value);
    };
    if let Some(label) = label {
        set("label", "label", s(label.clone()));
        link.label = label;
    }
    if let Some(tags) = tags {
        set("tags", "tags", strings(&tags));
        link.tags = tags;
    }
    if let Some(member_ids) = member_ids {
        let ids: Vec<String> = member_ids.iter().map(ToString::to_string).collect();
        set("members", "member_ids", strings(&ids));
        link.member_ids = member_ids;
    }
    if let Some(active) = body.active {
        set("active", "active", bool_av(active));
        link.active = active;
    }
    if sets.is_empty() {
        return json(200, &link.view(&app.settings.link_base_url));
    }
    let expression = format!("SET {}", sets.join(", "));
    let request_id = request_id(req);
    let stored = with_conflict_retry(|| async {
        let update = Update::builder()
            .table_name(app.table())
            .set_key(Some(LinkItem::key_for(&link.code)))
            .update_expression(expression.clone())
            .condition_expression("#org = :org AND #id = :id")
            .set_expression_attribute_names(Some(names.clone()))
            .set_expression_attribute_values(Some(values.clone()))
            .build()
            .map_err(|e| StoreError::Other(e.to_string()))?;
        let writes = vec![
            TransactWriteItem::builder().update(update).build(),
            audit::in_transaction(
                app,
                &AuditEvent {
                    actor: Some(&caller.account_id),
                    role: Some(caller.role),
                    org: Some(&org),
                    action: "link.update",
                    targets: vec![id.to_string()],
                    request_id: &request_id,
                    outcome: "ok",
                },
            )?,
        ];
        app.db
            .transact_write_items()
            .set_transact_items(Some(writes))
            .send()
            .await
            .map_err(StoreError::from)
    })
    .await;
    match stored {
        Ok(_) => json(200, &link.view(&app.settings.link_base_url)),
        Err(err) if err.failed_at(0) => Err(ApiError::not_found("link")),
        Err(err) => Err(err.into()),
    }
}
