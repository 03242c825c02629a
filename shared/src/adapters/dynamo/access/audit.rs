//! Audit items: `AUDIT#o#yyyy-mm` / ulid, kept six years (TTL). Written by `Tx::audit` in
//! a write's transaction, or by [`AuditLog::record_audit`] (one `PutItem`) for reads.

use crate::access::audit::{AuditEvent, RETENTION_MS};
use crate::adapters::dynamo::{keys, to_item, Dynamo, Item, StoreError};
use crate::domain::role::Role;
use crate::domain::time::rfc3339;
use crate::ports::access::AuditLog;
use async_trait::async_trait;
use serde::Serialize;
use ulid::Ulid;

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

/// The audit item for `event` at `now` (epoch ms).
pub fn audit_item(now: i64, event: &AuditEvent<'_>) -> Result<Item, StoreError> {
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

#[async_trait]
impl AuditLog for Dynamo {
    async fn record_audit(&self, event: &AuditEvent<'_>, now: i64) -> Result<(), StoreError> {
        self.client()
            .put_item()
            .table_name(self.table())
            .set_item(Some(audit_item(now, event)?))
            .send()
            .await?;
        Ok(())
    }
}
