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
use crate::domain::time::rfc3339;
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

// ---- reading the trail (`GET /v1/audit`) ------------------------------------------------
//
// Owners and admins read their practice's trail (HIPAA 164.312(b)), newest first; members
// and patients are refused (a member's refused attempt is itself recorded, `denied`). The
// read leaves its own `audit.read` item.
//
// Round trips per page: one Query (GSI1 `AUDIT#o`, or GSI2 `AUDIT#o#ACTOR#a` with `actor=`)
// and the read's audit PutItem, concurrently. `target=` is not a key (an event names
// several targets): it filters a Query that evaluates at most [`TARGET_SCAN`] items, so a
// target page is bounded too, may hold fewer than `limit` items, and its `next_cursor` is
// null only at the end of the range.

use crate::domain::caller::{Caller, NotAllowed};
use crate::ports::access::AuditTrail;
use crate::ports::conversations::{ListError, Listing};
use serde::{Deserialize, Serialize};

/// The last millisecond of year 9999, the latest time RFC 3339 can write.
const LATEST_MS: i64 = 253_402_300_799_999;

/// Items a `target=` page evaluates, at most (one Query).
pub const TARGET_SCAN: i32 = 100;

/// One entry of the trail as staff read it: ids, role, action, time and outcome, never a
/// name, a phone, an email, message text, a code or a token.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditEntry {
    pub id: String,
    pub at: String,
    pub actor_id: Option<String>,
    pub role: Option<String>,
    pub action: String,
    pub targets: Vec<String>,
    pub request_id: String,
    pub outcome: String,
}

/// The query-string of `GET /v1/audit`, unparsed.
#[derive(Debug, Clone, Default)]
pub struct AuditParams<'a> {
    pub from: Option<&'a str>,
    pub to: Option<&'a str>,
    pub actor: Option<&'a str>,
    pub target: Option<&'a str>,
    pub limit: i32,
    pub cursor: Option<&'a str>,
}

/// A validated page request on one practice's trail. `from`/`to` are the sort-key bounds
/// (RFC 3339 with milliseconds, inclusive).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditQuery<'a> {
    pub org: OrgId,
    pub from: String,
    pub to: String,
    pub actor: Option<AccountId>,
    pub target: Option<String>,
    pub limit: i32,
    pub cursor: Option<&'a str>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ReadAuditError {
    #[error(transparent)]
    NotAllowed(#[from] NotAllowed),
    #[error("{field}: {problem}")]
    Invalid {
        field: &'static str,
        problem: &'static str,
    },
    #[error("the cursor is not valid for this list")]
    BadCursor,
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl From<ListError> for ReadAuditError {
    fn from(e: ListError) -> Self {
        match e {
            ListError::BadCursor => Self::BadCursor,
            ListError::Store(e) => Self::Store(e),
        }
    }
}

/// An RFC 3339 time with an offset, as the trail's fixed-width UTC form.
fn time_bound(field: &'static str, raw: &str) -> Result<String, ReadAuditError> {
    use time::format_description::well_known::Rfc3339;
    let invalid = ReadAuditError::Invalid {
        field,
        problem: "must be an RFC 3339 time such as 2026-11-22T04:10:00Z",
    };
    if raw.len() > 40 {
        return Err(invalid);
    }
    let t = time::OffsetDateTime::parse(raw, &Rfc3339).map_err(|_| invalid.clone())?;
    // Before 1970 there is nothing to find: such a bound reads as the epoch.
    let ms = i64::try_from(t.unix_timestamp_nanos() / 1_000_000).map_err(|_| invalid.clone())?;
    Ok(rfc3339(ms.clamp(0, LATEST_MS)))
}

/// A record id as audit items name them (`conv_01J…`): a short lower-case prefix and a ULID.
fn target_id(raw: &str) -> Result<String, ReadAuditError> {
    let ok = raw.split_once('_').is_some_and(|(prefix, ulid)| {
        (1..=8).contains(&prefix.len())
            && prefix.bytes().all(|b| b.is_ascii_lowercase())
            && ulid.len() == 26
            && ulid::Ulid::from_string(ulid).is_ok()
    });
    if ok {
        Ok(raw.to_string())
    } else {
        Err(ReadAuditError::Invalid {
            field: "target",
            problem: "must be a record id such as conv_01J…",
        })
    }
}

impl<'a> AuditParams<'a> {
    /// Validates the filters for `org`'s trail.
    pub fn query(&self, org: OrgId) -> Result<AuditQuery<'a>, ReadAuditError> {
        let from = self.from.map(|f| time_bound("from", f)).transpose()?;
        let to = self.to.map(|t| time_bound("to", t)).transpose()?;
        if let (Some(f), Some(t)) = (&from, &to) {
            if f > t {
                return Err(ReadAuditError::Invalid {
                    field: "from",
                    problem: "must not be after to",
                });
            }
        }
        let actor = self
            .actor
            .map(|a| {
                a.parse::<AccountId>().map_err(|_| ReadAuditError::Invalid {
                    field: "actor",
                    problem: "must be an account id (acct_…)",
                })
            })
            .transpose()?;
        Ok(AuditQuery {
            org,
            from: from.unwrap_or_else(|| rfc3339(0)),
            to: to.unwrap_or_else(|| rfc3339(LATEST_MS)),
            actor,
            target: self.target.map(target_id).transpose()?,
            limit: self.limit,
            cursor: self.cursor,
        })
    }
}

/// `GET /v1/audit`: one page of the caller's practice's trail, itself audited.
pub async fn read_audit(
    store: &(impl AuditTrail + AuditLog),
    caller: &Caller,
    params: &AuditParams<'_>,
    now: i64,
    request_id: &str,
) -> Result<Listing<AuditEntry>, ReadAuditError> {
    let org = match caller.managing_org() {
        Ok(org) => org,
        Err(refused) => {
            // A teammate trying to read the trail is worth a line in it; patients have no
            // practice trail to write to.
            if let (Some(org), true) = (caller.org_id.as_ref(), caller.role.is_staff()) {
                let event = AuditEvent {
                    actor: Some(&caller.account_id),
                    role: Some(caller.role),
                    org: Some(org),
                    action: "audit.read",
                    targets: vec![],
                    request_id,
                    outcome: "denied",
                };
                if let Err(e) = store.record_audit(&event, now).await {
                    tracing::warn!(error = %e, "the refused audit read was not recorded");
                }
            }
            return Err(refused.into());
        }
    };
    let query = params.query(org)?;
    let mut targets: Vec<String> = query.actor.iter().map(ToString::to_string).collect();
    targets.extend(query.target.iter().cloned());
    let event = AuditEvent {
        actor: Some(&caller.account_id),
        role: Some(caller.role),
        org: Some(&org),
        action: "audit.read",
        targets,
        request_id,
        outcome: "ok",
    };
    Ok(store.audit_page(&query, &event, now).await?)
}
