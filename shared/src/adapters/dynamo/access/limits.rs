//! Rate-limit windows: `RATE#kind#subject` / `#RATE`. Spent on their own
//! ([`RateLimitStore`]) or with a challenge (the helpers below, used by `codes.rs`).

use super::codes::{race_lost, window_condition};
use crate::access::rate_limit::Budget;
use crate::access::window::Window;
use crate::adapters::dynamo::{batch_get, from_item, key, keys, Dynamo, Item, StoreError, Tx};
use crate::ports::access::RateLimitStore;
use async_trait::async_trait;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Serialize, Deserialize)]
struct RateItem {
    pk: String,
    sk: String,
    /// Epoch ms of the hits inside the window.
    hits: Vec<i64>,
    version: u64,
    ttl: i64,
}

/// The key of a budget's window.
pub(super) fn rate_key(budget: &Budget) -> Item {
    key(keys::rate_pk(budget.kind, &budget.subject), keys::RATE_SK)
}

/// Whether a read item is a rate window.
pub(super) fn is_rate_item(item: &Item) -> bool {
    item.get("sk")
        .and_then(|v| v.as_s().ok())
        .map(String::as_str)
        == Some(keys::RATE_SK)
}

/// Each budget's window among `found` (rate items), empty when absent.
pub(super) fn windows_of(budgets: &[Budget], found: Vec<Item>) -> Result<Vec<Window>, StoreError> {
    let found: Vec<RateItem> = found.into_iter().map(from_item).collect::<Result<_, _>>()?;
    Ok(budgets
        .iter()
        .map(|b| {
            let pk = keys::rate_pk(b.kind, &b.subject);
            found
                .iter()
                .find(|item| item.pk == pk)
                .map(|item| Window {
                    hits: item.hits.clone(),
                    version: item.version,
                })
                .unwrap_or_default()
        })
        .collect())
}

/// Adds each budget's next window to `tx`, conditioned on the version it was read at.
pub(super) fn put_windows(
    tx: &mut Tx,
    windows: &[(Budget, Window)],
    now: i64,
) -> Result<(), StoreError> {
    for (budget, window) in windows {
        let item = RateItem {
            pk: keys::rate_pk(budget.kind, &budget.subject),
            sk: keys::RATE_SK.into(),
            hits: window.hits.clone(),
            version: window.version,
            ttl: (now + budget.limit.keep_ms()) / 1000 + 60,
        };
        tx.put_if("rate", &item, window_condition(window.version))?;
    }
    Ok(())
}

#[async_trait]
impl RateLimitStore for Dynamo {
    async fn rate_windows(&self, budgets: &[Budget]) -> Result<Vec<Window>, StoreError> {
        let wanted = budgets.iter().map(rate_key).collect();
        let found = batch_get(self.client(), self.table(), wanted, true).await?;
        windows_of(budgets, found)
    }

    async fn save_rate_windows(
        &self,
        windows: &[(Budget, Window)],
        now: i64,
    ) -> Result<(), StoreError> {
        let mut tx = Tx::new();
        put_windows(&mut tx, windows, now)?;
        self.commit(tx).await.map_err(race_lost)
    }
}
