//! `POST /v1/links`: an owner or admin creates a link. The code is the practice's own
//! (validated, not reserved; taken → 409) or six random digits. Uniqueness is the put's
//! `attribute_not_exists` condition, never a scan: an allocated code that collides is
//! simply drawn again.

use crate::fields;
use canopy_shared::adapters::dynamo::{put, to_item, with_conflict_retry, StoreError};
use canopy_shared::domain::ids::AccountId;
use canopy_shared::http::{json, json_body, request::request_id, ApiError, Caller, HttpResult};
use canopy_shared::links::{LinkCode, LinkItem, NewLink};
use canopy_shared::practice::get_org;
use canopy_shared::services::audit::{self, AuditEvent};
use canopy_shared::App;
use lambda_http::Request;
use serde::Deserialize;

/// Allocated codes drawn before giving up (each collision has odds of about
/// links/1,000,000, so five in a row means something else is wrong).
const ALLOCATION_ATTEMPTS: usize = 5;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Body {
    label: String,
    #[serde(default)]
    code: Option<String>,
    #[serde(default)]
    tags: Vec<String>,
    #[serde(default)]
    member_ids: Vec<AccountId>,
}

pub async fn handle(app: &App, req: &Request) -> HttpResult {
    let caller = Caller::from_request(req)?;
    let org = caller.managing_org()?;
    let body: Body = json_body(req)?;
    let label = fields::label(&body.label)?;
    let tags = fields::tags(&body.tags)?;
    let custom = match &body.code {
        Some(raw) => Some(LinkCode::parse_custom(raw).map_err(|e| ApiError::invalid("code", e))?),
        None => None,
    };
    let (practice, members) = tokio::join!(
        get_org(app, &org),
        fields::members(app, &org, &body.member_ids)
    );
    let practice = practice?.ok_or_else(|| ApiError::not_found("practice"))?;
    let member_ids = members?;
    let request_id = request_id(req);
    for _ in 0..ALLOCATION_ATTEMPTS {
        let code = custom.clone().unwrap_or_else(LinkCode::allocate);
        let item = LinkItem::new(
            NewLink {
                org_id: org,
                practice_name: practice.name.as_str().to_string(),
                code,
                label: label.clone(),
                tags: tags.clone(),
                member_ids: member_ids.clone(),
            },
            app.now_ms(),
        );
        let stored = with_conflict_retry(|| async {
            let writes = vec![
                put(
                    app.table(),
                    to_item(&item)?,
                    Some("attribute_not_exists(pk)"),
                )?,
                audit::in_transaction(
                    app,
                    &AuditEvent {
                        actor: Some(&caller.account_id),
                        role: Some(caller.role),
                        org: Some(&org),
                        action: "link.create",
                        targets: vec![item.id.to_string()],
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
            Ok(_) => return json(201, &item.view(&app.settings.link_base_url)),
            Err(err) if err.failed_at(0) && custom.is_some() => {
                return Err(ApiError::conflict(
                    "code_taken",
                    "This code is already used by a link; choose another.",
                ))
            }
            Err(err) if err.failed_at(0) => continue,
            Err(err) => return Err(err.into()),
        }
    }
    tracing::error!("no free link code after {ALLOCATION_ATTEMPTS} attempts");
    Err(ApiError::unavailable())
}
