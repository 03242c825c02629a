//! The HIPAA audit trail: who did what to which record, when, from which request, and how
//! it ended. Never message text, codes, tokens, names, phones or emails — ids only.
//!
//! Writes put their audit item in the same transaction as the change (`Tx::audit`), so
//! there is no change without its audit item and no extra round trip. Reads, which have no
//! transaction, write theirs with one `PutItem` issued concurrently with the read
//! ([`record`]).

use crate::adapters::dynamo::StoreError;
use crate::domain::ids::{AccountId, OrgId};
use crate::domain::role::Role;
use crate::ports::access::AuditLog;

/// Audit items are kept for six years (HIPAA's retention period for documentation).
pub const RETENTION_MS: i64 = 6 * 365 * 24 * 3600 * 1000;

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

/// A standalone audit write (for reads): one `PutItem`.
pub async fn record(
    log: &impl AuditLog,
    event: &AuditEvent<'_>,
    now: i64,
) -> Result<(), StoreError> {
    log.record_audit(event, now).await
}
