//! The one way to write a `TransactWriteItems` in Canopy.
//!
//! Every multi-item change (a post with its idempotency record, meta counters, receipt and
//! audit item; a pairing; an invite) goes through [`Tx`]: typed put / update / condition
//! check / delete, each in a **named slot**, so that when DynamoDB cancels the transaction
//! the caller learns *which* slot's condition failed ([`TxError::Refused`]) and maps it to
//! its own domain error, instead of counting item indexes. [`Tx::audit`] adds the HIPAA audit
//! item the same way everywhere, and [`Dynamo::commit`] retries `TransactionConflict` a
//! bounded number of times with jitter.
//!
//! ```text
//! let mut tx = Tx::new();
//! tx.put_new("message", &message_item)?
//!   .update("meta", keys.meta(), "SET #count = #count + :one", condition)?
//!   .audit(&event, now)?;
//! match store.commit(tx).await {
//!     Err(TxError::Refused("meta")) => /* not visible, read-only, … */,
//!     …
//! }
//! ```

use super::expr::Expr;
use super::{to_item, Dynamo, Item, StoreError};
use crate::access::audit::AuditEvent;
use crate::adapters::dynamo::access::audit_item;
use aws_sdk_dynamodb::types::{ConditionCheck, Delete, Put, TransactWriteItem, Update};
use serde::Serialize;

/// DynamoDB's limit on the items of one transaction.
pub const MAX_ITEMS: usize = 100;

/// Why a transaction did not commit.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TxError {
    /// The condition of the named slot failed (the first such slot, in request order).
    #[error("the condition of `{0}` failed")]
    Refused(&'static str),
    /// Anything else: unavailable after retries, conflict after retries, a bug.
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl TxError {
    /// Whether the named slot's condition failed.
    pub fn refused(&self, slot: &str) -> bool {
        matches!(self, TxError::Refused(s) if *s == slot)
    }
}

/// A transaction being built: items with their slot names, in order.
#[derive(Debug, Clone, Default)]
pub struct Tx {
    items: Vec<TransactWriteItem>,
    slots: Vec<&'static str>,
}

fn built<T, E: std::fmt::Display>(r: Result<T, E>) -> Result<T, StoreError> {
    r.map_err(|e| StoreError::Other(e.to_string()))
}

impl Tx {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn len(&self) -> usize {
        self.items.len()
    }

    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    /// The slot names, in request order (tests and logs).
    pub fn slots(&self) -> &[&'static str] {
        &self.slots
    }

    fn push(&mut self, slot: &'static str, item: TransactWriteItem) -> &mut Self {
        self.items.push(item);
        self.slots.push(slot);
        self
    }

    /// Puts `item` (any `Serialize` item struct carrying its `pk`/`sk`) unconditionally.
    pub fn put<T: Serialize>(
        &mut self,
        slot: &'static str,
        item: &T,
    ) -> Result<&mut Self, StoreError> {
        self.put_raw(slot, to_item(item)?, None)
    }

    /// Puts `item` only if no item with its key exists.
    pub fn put_new<T: Serialize>(
        &mut self,
        slot: &'static str,
        item: &T,
    ) -> Result<&mut Self, StoreError> {
        self.put_raw(slot, to_item(item)?, Some(Expr::absent()))
    }

    /// Puts `item` under `condition`.
    pub fn put_if<T: Serialize>(
        &mut self,
        slot: &'static str,
        item: &T,
        condition: Expr,
    ) -> Result<&mut Self, StoreError> {
        self.put_raw(slot, to_item(item)?, Some(condition))
    }

    fn put_raw(
        &mut self,
        slot: &'static str,
        item: Item,
        condition: Option<Expr>,
    ) -> Result<&mut Self, StoreError> {
        let c = condition.unwrap_or_default();
        let put = built(
            Put::builder()
                .table_name("")
                .set_item(Some(item))
                .set_condition_expression(c.text_opt())
                .set_expression_attribute_names(c.names_opt())
                .set_expression_attribute_values(c.values_opt())
                .build(),
        )?;
        Ok(self.push(slot, TransactWriteItem::builder().put(put).build()))
    }

    /// Updates the item at `key` with `update` (e.g. `SET #a = :a ADD #n :one`); `expr`
    /// carries the condition text (may be empty) and every placeholder both use.
    pub fn update(
        &mut self,
        slot: &'static str,
        key: Item,
        update: impl Into<String>,
        expr: Expr,
    ) -> Result<&mut Self, StoreError> {
        let u = built(
            Update::builder()
                .table_name("")
                .set_key(Some(key))
                .update_expression(update)
                .set_condition_expression(expr.text_opt())
                .set_expression_attribute_names(expr.names_opt())
                .set_expression_attribute_values(expr.values_opt())
                .build(),
        )?;
        Ok(self.push(slot, TransactWriteItem::builder().update(u).build()))
    }

    /// Requires `condition` of the item at `key` without changing it (authorization,
    /// "the session is live", "the member was not removed").
    pub fn check(
        &mut self,
        slot: &'static str,
        key: Item,
        condition: Expr,
    ) -> Result<&mut Self, StoreError> {
        let c = built(
            ConditionCheck::builder()
                .table_name("")
                .set_key(Some(key))
                .condition_expression(condition.text.clone())
                .set_expression_attribute_names(condition.names_opt())
                .set_expression_attribute_values(condition.values_opt())
                .build(),
        )?;
        Ok(self.push(
            slot,
            TransactWriteItem::builder().condition_check(c).build(),
        ))
    }

    /// Deletes the item at `key`, under `condition` when given.
    pub fn delete(
        &mut self,
        slot: &'static str,
        key: Item,
        condition: Option<Expr>,
    ) -> Result<&mut Self, StoreError> {
        let c = condition.unwrap_or_default();
        let d = built(
            Delete::builder()
                .table_name("")
                .set_key(Some(key))
                .set_condition_expression(c.text_opt())
                .set_expression_attribute_names(c.names_opt())
                .set_expression_attribute_values(c.values_opt())
                .build(),
        )?;
        Ok(self.push(slot, TransactWriteItem::builder().delete(d).build()))
    }

    /// The audit item of this change (slot `audit`): every write's audit trail is written
    /// in the same transaction, so there is no change without its audit item.
    pub fn audit(&mut self, event: &AuditEvent<'_>, now_ms: i64) -> Result<&mut Self, StoreError> {
        self.put_raw("audit", audit_item(now_ms, event)?, None)
    }

    /// An item another module built as a raw `TransactWriteItem` (`services::otp::consume`,
    /// `services::sessions::issue` still hand them out). A bridge: remove once those
    /// services write into a `Tx` themselves.
    pub(crate) fn push_built(&mut self, slot: &'static str, item: TransactWriteItem) -> &mut Self {
        self.push(slot, item)
    }

    /// Appends another transaction's items (a use case composing two parts).
    pub fn extend(&mut self, other: Tx) -> &mut Self {
        self.items.extend(other.items);
        self.slots.extend(other.slots);
        self
    }

    /// The items with the table name filled in.
    fn into_items(self, table: &str) -> Vec<TransactWriteItem> {
        self.items
            .into_iter()
            .map(|mut item| {
                if let Some(p) = item.put.as_mut() {
                    p.table_name = table.to_string();
                }
                if let Some(u) = item.update.as_mut() {
                    u.table_name = table.to_string();
                }
                if let Some(c) = item.condition_check.as_mut() {
                    c.table_name = table.to_string();
                }
                if let Some(d) = item.delete.as_mut() {
                    d.table_name = table.to_string();
                }
                item
            })
            .collect()
    }

    /// The slot whose condition failed, from a cancellation's reasons.
    fn refused_slot(&self, err: &StoreError) -> Option<&'static str> {
        (0..self.slots.len())
            .find(|&i| err.failed_at(i))
            .map(|i| self.slots[i])
    }
}

impl Dynamo {
    /// Commits a transaction that proves a claimed caller (`access::proof`) as
    /// [`Self::commit`] does, but conflicts that outlast the retries are answered
    /// [`StoreError::SessionRefused`]. The proof's items (the session, and for staff the
    /// membership and the practice's `#META`) are shared by every request of that caller
    /// or practice, and concurrent transactions that include one item conflict even when
    /// they only check it, so a crowd of them keeps colliding. Refused instead, the route
    /// reads its caller and runs once more without those items (`http::deferred`).
    pub async fn commit_proven(&self, tx: Tx) -> Result<(), TxError> {
        match self.commit(tx).await {
            Err(TxError::Store(StoreError::Conflict)) => {
                Err(TxError::Store(StoreError::SessionRefused))
            }
            other => other,
        }
    }

    /// Commits `tx` as one `TransactWriteItems`, retrying conflicts (bounded, jittered).
    /// A failed condition comes back as [`TxError::Refused`] naming the slot.
    pub async fn commit(&self, tx: Tx) -> Result<(), TxError> {
        if tx.is_empty() {
            return Ok(());
        }
        if tx.len() > MAX_ITEMS {
            return Err(StoreError::Other(format!("{} items in one transaction", tx.len())).into());
        }
        let table = self.table().to_string();
        let slots = tx.clone();
        let items = tx.into_items(&table);
        let result = super::with_conflict_retry(|| {
            let items = items.clone();
            async move {
                self.client()
                    .transact_write_items()
                    .set_transact_items(Some(items))
                    .send()
                    .await
                    .map(|_| ())
                    .map_err(StoreError::from)
            }
        })
        .await;
        match result {
            Ok(()) => Ok(()),
            Err(err) => match slots.refused_slot(&err) {
                Some(slot) => Err(TxError::Refused(slot)),
                None => Err(TxError::Store(err)),
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::adapters::dynamo::key;

    #[test]
    fn a_cancellation_names_the_slot_that_failed() {
        let mut tx = Tx::new();
        tx.put_new("message", &serde_json::json!({"pk": "A", "sk": "B"}))
            .unwrap()
            .check("meta", key("A", "#META"), Expr::present())
            .unwrap();
        let err = StoreError::Cancelled(vec!["None".into(), "ConditionalCheckFailed".into()]);
        assert_eq!(tx.refused_slot(&err), Some("meta"));
        assert_eq!(tx.slots(), &["message", "meta"]);
        assert_eq!(tx.refused_slot(&StoreError::Unavailable), None);
    }

    #[test]
    fn every_item_gets_the_table_name() {
        let mut tx = Tx::new();
        tx.put("a", &serde_json::json!({"pk": "A", "sk": "B"}))
            .unwrap()
            .delete("b", key("A", "B"), None)
            .unwrap()
            .update("c", key("A", "C"), "SET #x = :x", Expr::default())
            .unwrap();
        for item in tx.into_items("t") {
            let names: Vec<&str> = [
                item.put.as_ref().map(|p| p.table_name.as_str()),
                item.update.as_ref().map(|u| u.table_name.as_str()),
                item.delete.as_ref().map(|d| d.table_name.as_str()),
            ]
            .into_iter()
            .flatten()
            .collect();
            assert_eq!(names, vec!["t"]);
        }
    }
}
