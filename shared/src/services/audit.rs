//! The HIPAA audit trail: who did what to which record, when, from which request, and how
//! it ended. Never message text, codes, tokens, names, phones or emails — ids only.
//!
//! Writes put their audit item in the same `TransactWriteItems` as the change (so there is
//! no change without its audit item, and no extra round trip). Reads, which have no
//! transaction, write their audit item with a `PutItem` issued concurrently with the read.

use crate::adapters::dynamo::{keys, put, to_item, StoreError};
use crate::app::App;
use crate::domain::ids::{AccountId, OrgId};
use crate::domain::role::Role;
use crate::domain::time::rfc3339;
use aws_sdk_dynamodb::types::TransactWriteItem;
use serde::Serialize;
use ulid::Ulid;

/// Audit items are kept for six years (HIPAA's retention period for documentation).
const RETENTION_MS: i64 = 6 * 365 * 24 * 3600 * 1000;

#[derive(Debug, Clone)]
pub struct AuditEvent<'a> {
    pub actor: Option<&'a AccountId>,
    pub role: Option<Role>,
    pub org: Option<&'a OrgId>,
    /// What was done, e.g. `message.post`, `conversation.read`, `org.create`.
    pub action: &'static str,
    /// Ids of the records touched (`conv_…`, `msg_…`).
    pub targets: Vec<String>,
    pub request_id: &'a str,
    pub outcome: &'static str,
}

#[derive(Serialize)]
struct AuditItem<'a> {
    pk: String,
    sk: String,
    actor: Option<String>,
    role: Option<&'static str>,
    org_id: Option<String>,
    action: &'static str,
    targets: &'a [String],
    at: String,
    request_id: &'a str,
    outcome: &'static str,
    ttl: i64,
}

/// The audit item for `event` at `now` (epoch ms); [`crate::adapters::dynamo::Tx::audit`]
/// puts it in a write's transaction.
pub fn item(now: i64, event: &AuditEvent<'_>) -> Result<crate::adapters::dynamo::Item, StoreError> {
    let at = rfc3339(now);
    to_item(&AuditItem {
        pk: keys::audit_pk(event.org, &at[..7]),
        sk: Ulid::new().to_string(),
        actor: event.actor.map(ToString::to_string),
        role: event.role.map(Role::as_str),
        org_id: event.org.map(ToString::to_string),
        action: event.action,
        targets: &event.targets,
        at,
        request_id: event.request_id,
        outcome: event.outcome,
        ttl: (now + RETENTION_MS) / 1000,
    })
}

/// The audit item as part of a write transaction.
pub fn in_transaction(app: &App, event: &AuditEvent<'_>) -> Result<TransactWriteItem, StoreError> {
    put(app.table(), item(app.now_ms(), event)?, None)
}

/// A standalone audit write (for reads).
pub async fn record(app: &App, event: &AuditEvent<'_>) -> Result<(), StoreError> {
    app.db
        .put_item()
        .table_name(app.table())
        .set_item(Some(item(app.now_ms(), event)?))
        .send()
        .await?;
    Ok(())
}
