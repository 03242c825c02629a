//! Audit items: `AUDIT#o#yyyy-mm` / ulid, kept six years (TTL). Written by `Tx::audit` in
//! a write's transaction, or by [`AuditLog::record_audit`] (one `PutItem`) for reads.
//!
//! A practice's items are also indexed for reading the trail (`GET /v1/audit`): GSI1
//! `AUDIT#o` / `at#ulid` (the whole trail) and GSI2 `AUDIT#o#ACTOR#a` / `at#ulid` (one
//! actor's), so every page is one Query on one partition, newest first.
//!
//! Audit items are append-only: nothing here updates or deletes them, and the template
//! denies `UpdateItem`/`DeleteItem` on `AUDIT#` keys to every function.

use crate::access::audit::{AuditEntry, AuditEvent, AuditQuery, RETENTION_MS, TARGET_SCAN};
use crate::adapters::dynamo::{cursor, from_items, keys, s, to_item, Dynamo, Item, StoreError};
use crate::domain::role::Role;
use crate::domain::time::rfc3339;
use crate::ports::access::{AuditLog, AuditTrail};
use crate::ports::conversations::{ListError, Listing};
use async_trait::async_trait;
use serde::{Deserialize, Serialize};
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
    #[serde(skip_serializing_if = "Option::is_none")]
    gsi1pk: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    gsi1sk: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    gsi2pk: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    gsi2sk: Option<String>,
}

/// The audit item for `event` at `now` (epoch ms).
pub fn audit_item(now: i64, event: &AuditEvent<'_>) -> Result<Item, StoreError> {
    let at = rfc3339(now);
    let id = Ulid::new().to_string();
    let time_sk = event.org.map(|_| keys::audit_time_sk(&at, &id));
    to_item(&AuditItem {
        pk: keys::audit_pk(event.org, &at[..7]),
        gsi1pk: event.org.map(keys::audit_trail_pk),
        gsi1sk: time_sk.clone(),
        gsi2pk: event
            .org
            .zip(event.actor)
            .map(|(o, a)| keys::audit_actor_pk(o, a)),
        gsi2sk: event.actor.and(time_sk),
        sk: id,
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

/// An audit item as read back.
#[derive(Deserialize)]
struct StoredAudit {
    sk: String,
    at: String,
    #[serde(default)]
    actor: Option<String>,
    #[serde(default)]
    role: Option<String>,
    action: String,
    #[serde(default)]
    targets: Vec<String>,
    #[serde(default)]
    request_id: String,
    outcome: String,
}

impl From<StoredAudit> for AuditEntry {
    fn from(a: StoredAudit) -> Self {
        Self {
            id: a.sk,
            at: a.at,
            actor_id: a.actor,
            role: a.role,
            action: a.action,
            targets: a.targets,
            request_id: a.request_id,
            outcome: a.outcome,
        }
    }
}

/// Which index and partition serve `q`.
fn plan(q: &AuditQuery<'_>) -> (&'static str, &'static str, String) {
    match &q.actor {
        Some(actor) => (keys::GSI2, "gsi2pk", keys::audit_actor_pk(&q.org, actor)),
        None => (keys::GSI1, "gsi1pk", keys::audit_trail_pk(&q.org)),
    }
}

/// The time-sort-key range of `q`, inclusive: `from` … `to#~` (`~` sorts after any ULID).
fn range(q: &AuditQuery<'_>) -> (String, String) {
    (q.from.clone(), format!("{}#~", q.to))
}

/// Decodes a cursor and checks it names an audit item of this exact query: the partition,
/// a time sort key inside the range and shaped `at#ulid`, and the item's own table key
/// (`AUDIT#o#yyyy-mm` of that time, the same ULID). Anything else is a forged or stale
/// cursor, answered 400 before DynamoDB sees it.
pub(crate) fn resume_key(q: &AuditQuery<'_>, text: &str) -> Result<Item, ListError> {
    let (_, pk_attr, partition) = plan(q);
    let (lo, hi) = range(q);
    let valid = |key: &cursor::KeyView<'_>| {
        let time_sk = key.sort;
        let Some((at, id)) = time_sk.split_once('#') else {
            return false;
        };
        let well_formed = at.len() == 24
            && Ulid::from_string(id).is_ok()
            && id.len() == 26
            && time_sk >= lo.as_str()
            && time_sk <= hi.as_str();
        let table_key = at
            .get(..7)
            .is_some_and(|month| key.pk == keys::audit_pk(Some(&q.org), month) && key.sk == id);
        well_formed && table_key
    };
    let shape = cursor::Shape {
        partition_attr: pk_attr,
        partition: &partition,
        valid: &valid,
    };
    cursor::decode(text, &shape).map_err(|_| ListError::BadCursor)
}

/// The cursor that resumes after `item` (its index and table keys).
fn cursor_after(item: &Item, pk_attr: &str) -> String {
    let sk_attr = pk_attr.replacen("pk", "sk", 1);
    let keys: Item = [pk_attr, sk_attr.as_str(), "pk", "sk"]
        .iter()
        .filter_map(|k| item.get(*k).map(|v| (k.to_string(), v.clone())))
        .collect();
    cursor::encode(&keys)
}

#[async_trait]
impl AuditTrail for Dynamo {
    async fn audit_page(
        &self,
        q: &AuditQuery<'_>,
        read: &AuditEvent<'_>,
        now: i64,
    ) -> Result<Listing<AuditEntry>, ListError> {
        let start = q.cursor.map(|c| resume_key(q, c)).transpose()?;
        let (index, pk_attr, partition) = plan(q);
        let sk_attr = pk_attr.replacen("pk", "sk", 1);
        let (lo, hi) = range(q);
        let mut e = crate::adapters::dynamo::Expr::default();
        e.name("#ipk", pk_attr)
            .name("#isk", &sk_attr)
            .value(":ipk", s(partition))
            .value(":lo", s(lo))
            .value(":hi", s(hi));
        let mut filter = crate::adapters::dynamo::Expr::default();
        if let Some(target) = &q.target {
            filter
                .name("#targets", "targets")
                .value(":target", s(target.clone()))
                .and("contains(#targets, :target)");
            e.merge_placeholders(&filter);
        }
        let query = self
            .client()
            .query()
            .table_name(self.table())
            .index_name(index)
            .key_condition_expression("#ipk = :ipk AND #isk BETWEEN :lo AND :hi")
            .set_filter_expression(filter.text_opt())
            .set_expression_attribute_names(e.names_opt())
            .set_expression_attribute_values(e.values_opt())
            .scan_index_forward(false)
            .limit(if q.target.is_some() {
                TARGET_SCAN
            } else {
                q.limit
            })
            .set_exclusive_start_key(start)
            .send();
        let (page, recorded) = futures::join!(query, self.record_audit(read, now));
        recorded?;
        let page = page.map_err(StoreError::from)?;
        let mut items = page.items.unwrap_or_default();
        // A target page evaluates up to TARGET_SCAN items: more matches than `limit` are
        // cut, and the cursor resumes after the last one shown.
        let limit = usize::try_from(q.limit).unwrap_or(0);
        let next_cursor = if items.len() > limit {
            items.truncate(limit);
            items.last().map(|last| cursor_after(last, pk_attr))
        } else {
            page.last_evaluated_key.as_ref().map(cursor::encode)
        };
        let stored: Vec<StoredAudit> = from_items(items)?;
        Ok(Listing {
            items: stored.into_iter().map(AuditEntry::from).collect(),
            next_cursor,
        })
    }
}
