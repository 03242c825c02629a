//! Rate-limit windows: `RATE#kind#subject` / `#RATE`.

use super::codes::{race_lost, window_condition};
use crate::access::rate_limit::Budget;
use crate::access::window::Window;
use crate::adapters::dynamo::{batch_get, from_item, key, keys, Dynamo, StoreError, Tx};
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

#[async_trait]
impl RateLimitStore for Dynamo {
    async fn rate_windows(&self, budgets: &[Budget]) -> Result<Vec<Window>, StoreError> {
        let pks: Vec<String> = budgets
            .iter()
            .map(|b| keys::rate_pk(b.kind, &b.subject))
            .collect();
        let wanted = pks
            .iter()
            .map(|pk| key(pk.clone(), keys::RATE_SK))
            .collect();
        let found: Vec<RateItem> = batch_get(self.client(), self.table(), wanted, true)
            .await?
            .into_iter()
            .map(from_item)
            .collect::<Result<_, _>>()?;
        Ok(pks
            .iter()
            .map(|pk| {
                found
                    .iter()
                    .find(|item| &item.pk == pk)
                    .map(|item| Window {
                        hits: item.hits.clone(),
                        version: item.version,
                    })
                    .unwrap_or_default()
            })
            .collect())
    }

    async fn save_rate_windows(
        &self,
        windows: &[(Budget, Window)],
        now: i64,
    ) -> Result<(), StoreError> {
        let mut tx = Tx::new();
        for (budget, window) in windows {
            let item = RateItem {
                pk: keys::rate_pk(budget.kind, &budget.subject),
                sk: keys::RATE_SK.into(),
                hits: window.hits.clone(),
                version: window.version,
                ttl: (now + budget.limit.window_ms) / 1000 + 60,
            };
            tx.put_if("rate", &item, window_condition(window.version))?;
        }
        self.commit(tx).await.map_err(race_lost)
    }
}
