//! `POST /v1/invites/{id}/resend`: a fresh token (the old one stops working at once: its
//! item is deleted in the same transaction that records the new one), sent again to the
//! invite's destinations. At most 3 resends per invite per hour (429 with `Retry-After`).
//! A resend also revives an expired invite: the new token has a fresh 7 days.

use crate::send;
use aws_sdk_dynamodb::types::{AttributeValue, Delete, TransactWriteItem, Update};
use canopy_shared::adapters::dynamo::{self, keys, n, put, s, to_item, StoreError};
use canopy_shared::domain::ids::InviteId;
use canopy_shared::domain::secrets::{new_token, token_hash};
use canopy_shared::http::{json, path_id, request::request_id, ApiError, Caller, HttpResult};
use canopy_shared::invites::{self, InviteItem, InviteStatus, INVITE_LIFETIME_MS};
use canopy_shared::services::audit::{self, AuditEvent};
use canopy_shared::App;
use lambda_http::Request;

pub async fn handle(app: &App, req: &Request) -> HttpResult {
    let caller = Caller::from_request(req)?;
    let org = caller.staff_org()?;
    let id: InviteId = path_id(req, "id", "invite")?;
    let invite = invites::get(app, &org, &id)
        .await?
        .filter(|i| caller.sees_link(i.link_id.as_ref()))
        .ok_or_else(|| ApiError::not_found("invite"))?;
    if invite.status != InviteStatus::Pending {
        return Err(ApiError::conflict(
            "invite_accepted",
            "The patient has already accepted this invite.",
        ));
    }
    let now = app.now_ms();
    if let Some(wait_ms) = invite.resend_wait_ms(now) {
        return Err(ApiError::rate_limited((wait_ms as u64).div_ceil(1000)));
    }
    let token = new_token();
    let hash = token_hash(&token);
    let expires_at = now + INVITE_LIFETIME_MS;
    let mut recent: Vec<i64> = invite
        .resends
        .iter()
        .copied()
        .filter(|t| *t > now - invites::RESEND_WINDOW_MS)
        .collect();
    recent.push(now);
    let bad = |e: aws_sdk_dynamodb::error::BuildError| StoreError::Other(e.to_string());
    // Still pending and still on the token we read: a concurrent resend or acceptance wins.
    let update = Update::builder()
        .table_name(app.table())
        .set_key(Some(InviteItem::key_for(&org, &id)))
        .update_expression("SET #token_hash = :new, #expires_at = :exp, #resends = :resends")
        .condition_expression("#token_hash = :old AND #status = :pending")
        .expression_attribute_names("#token_hash", "token_hash")
        .expression_attribute_names("#expires_at", "expires_at")
        .expression_attribute_names("#resends", "resends")
        .expression_attribute_names("#status", "status")
        .expression_attribute_values(":new", s(hash.clone()))
        .expression_attribute_values(":old", s(invite.token_hash.clone()))
        .expression_attribute_values(":exp", n(expires_at))
        .expression_attribute_values(
            ":resends",
            AttributeValue::L(recent.iter().map(|t| n(*t)).collect()),
        )
        .expression_attribute_values(":pending", s("pending"))
        .build()
        .map_err(bad)?;
    let delete_old = Delete::builder()
        .table_name(app.table())
        .set_key(Some(dynamo::key(
            keys::invite_token_pk(&invite.token_hash),
            keys::INVITE_TOKEN_SK,
        )))
        .build()
        .map_err(bad)?;
    let renewed = InviteItem {
        token_hash: hash.clone(),
        expires_at,
        resends: recent,
        ..invite
    };
    let writes = vec![
        TransactWriteItem::builder().update(update).build(),
        TransactWriteItem::builder().delete(delete_old).build(),
        put(
            app.table(),
            to_item(&renewed.token_item(&hash))?,
            Some("attribute_not_exists(pk)"),
        )?,
        audit::in_transaction(
            app,
            &AuditEvent {
                actor: Some(&caller.account_id),
                role: Some(caller.role),
                org: Some(&org),
                action: "invite.resend",
                targets: vec![id.to_string(), renewed.contact_id.to_string()],
                request_id: &request_id(req),
                outcome: "ok",
            },
        )?,
    ];
    match app
        .db
        .transact_write_items()
        .set_transact_items(Some(writes))
        .send()
        .await
        .map_err(StoreError::from)
    {
        Ok(_) => {}
        Err(err) if err.failed_at(0) => {
            return Err(ApiError::conflict(
                "invite_changed",
                "The invite changed meanwhile (accepted or resent); reload it.",
            ))
        }
        Err(err) => return Err(err.into()),
    }
    let sends = send::deliver(app, &renewed, &token).await;
    send::record(app, &renewed, &sends).await;
    json(200, &InviteItem { sends, ..renewed }.view())
}
