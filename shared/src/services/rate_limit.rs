//! Sliding-window rate limits kept in the table (Lambdas share no memory), the same scheme
//! `otp` uses for code sends: one item per limited subject holding the times of recent hits
//! inside the window, rewritten with a version condition (optimistic concurrency), so two
//! concurrent requests can never both take the last slot.
//!
//! [`spend`] takes several budgets at once (say, per phone number and per client address)
//! and spends all of them or none: one consistent `BatchGetItem`, then one
//! `TransactWriteItems` of conditional puts. A refused request spends nothing.

use crate::adapters::dynamo::{self, keys, n, to_item, Item, StoreError};
use crate::app::App;
use aws_sdk_dynamodb::types::{Put, TransactWriteItem};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

/// At most `max` hits per `window_ms`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limit {
    pub max: usize,
    pub window_ms: i64,
}

/// One budget: what is limited (`kind`, e.g. `dl-phone`), for whom (`subject`), how much.
#[derive(Debug, Clone)]
pub struct Budget {
    pub kind: &'static str,
    pub subject: String,
    pub limit: Limit,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RateError {
    /// A budget is used up; the earliest moment it has room again, in whole seconds.
    #[error("rate limited")]
    Limited { retry_after_secs: u64 },
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl From<RateError> for crate::http::ApiError {
    fn from(err: RateError) -> Self {
        match err {
            RateError::Limited { retry_after_secs } => Self::rate_limited(retry_after_secs),
            RateError::Store(e) => e.into(),
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
struct RateItem {
    pk: String,
    sk: String,
    /// Epoch ms of the hits inside the window.
    hits: Vec<i64>,
    version: u64,
    ttl: i64,
}

/// Spends one hit of every budget, or none if any is used up (then `Limited` with the
/// longest wait among the exhausted budgets). Retries a lost race a few times.
pub async fn spend(app: &App, budgets: &[Budget]) -> Result<(), RateError> {
    for _ in 0..5 {
        match try_spend(app, budgets).await {
            Err(RateError::Store(e)) if e.is_condition_failure() || e == StoreError::Conflict => {
                continue
            }
            other => return other,
        }
    }
    Err(RateError::Store(StoreError::Conflict))
}

async fn try_spend(app: &App, budgets: &[Budget]) -> Result<(), RateError> {
    let now = app.now_ms();
    let current = read(app, budgets).await?;
    let mut writes = Vec::with_capacity(budgets.len());
    let mut wait_ms: Option<i64> = None;
    for budget in budgets {
        let pk = keys::rate_pk(budget.kind, &budget.subject);
        let previous = current.get(&pk);
        let window = budget.limit.window_ms;
        let mut hits: Vec<i64> = previous
            .map(|p| {
                p.hits
                    .iter()
                    .copied()
                    .filter(|t| *t > now - window)
                    .collect()
            })
            .unwrap_or_default();
        if hits.len() >= budget.limit.max {
            // Room again when the oldest hit that keeps the window full leaves it.
            hits.sort_unstable();
            let freeing = hits[hits.len() - budget.limit.max];
            let wait = (freeing + window - now).max(1000);
            wait_ms = Some(wait_ms.map_or(wait, |w| w.max(wait)));
            continue;
        }
        hits.push(now);
        let version = previous.map_or(0, |p| p.version);
        let next = RateItem {
            pk,
            sk: keys::RATE_SK.into(),
            hits,
            version: version + 1,
            ttl: (now + window) / 1000 + 60,
        };
        let mut put = Put::builder()
            .table_name(app.table())
            .set_item(Some(to_item(&next)?));
        put = if previous.is_some() {
            put.condition_expression("#version = :v")
                .expression_attribute_names("#version", "version")
                .expression_attribute_values(":v", n(version))
        } else {
            put.condition_expression("attribute_not_exists(#pk)")
                .expression_attribute_names("#pk", "pk")
        };
        let put = put.build().map_err(|e| StoreError::Other(e.to_string()))?;
        writes.push(TransactWriteItem::builder().put(put).build());
    }
    if let Some(ms) = wait_ms {
        return Err(RateError::Limited {
            retry_after_secs: (ms as u64).div_ceil(1000),
        });
    }
    app.db
        .transact_write_items()
        .set_transact_items(Some(writes))
        .send()
        .await
        .map_err(StoreError::from)?;
    Ok(())
}

async fn read(app: &App, budgets: &[Budget]) -> Result<HashMap<String, RateItem>, StoreError> {
    let keys_list: Vec<Item> = budgets
        .iter()
        .map(|b| dynamo::key(keys::rate_pk(b.kind, &b.subject), keys::RATE_SK))
        .collect();
    dynamo::batch_get(&app.db, app.table(), keys_list, true)
        .await?
        .into_iter()
        .map(|item| {
            let rate: RateItem = dynamo::from_item(item)?;
            Ok((rate.pk.clone(), rate))
        })
        .collect()
}
