//! Sliding-window rate limits kept in the table (see [`super::window`]), e.g. download
//! SMS per phone number and per client address on the link domain.
//!
//! [`spend`] takes several budgets at once and spends all of them or none: one consistent
//! `BatchGetItem`, then one `TransactWriteItems` of version-conditioned puts. A refused
//! request spends nothing; a lost race re-reads and retries (at most five attempts).

use super::window::{retry_after_secs, Limit, Window};
use crate::adapters::dynamo::StoreError;
use crate::ports::access::RateLimitStore;

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

/// Spends one hit of every budget, or none if any is used up (then `Limited` with the
/// longest wait among the exhausted budgets).
pub async fn spend(
    store: &impl RateLimitStore,
    budgets: &[Budget],
    now: i64,
) -> Result<(), RateError> {
    spend_tries(store, budgets, now, 5).await
}

async fn spend_tries(
    store: &impl RateLimitStore,
    budgets: &[Budget],
    now: i64,
    tries: u32,
) -> Result<(), RateError> {
    for _ in 0..tries {
        match try_spend(store, budgets, now).await {
            Err(RateError::Store(e)) if e.is_condition_failure() || e == StoreError::Conflict => {
                continue
            }
            other => return other,
        }
    }
    Err(RateError::Store(StoreError::Conflict))
}

async fn try_spend(
    store: &impl RateLimitStore,
    budgets: &[Budget],
    now: i64,
) -> Result<(), RateError> {
    let current = store.rate_windows(budgets).await?;
    let next = admit_all(budgets, current, now)?;
    store.save_rate_windows(&next, now).await?;
    Ok(())
}

/// Admits one hit into every budget's `windows` at `now`: the windows as they would be
/// after it, or `Limited` with the longest wait among the budgets that have no room.
pub(crate) fn admit_all(
    budgets: &[Budget],
    windows: Vec<Window>,
    now: i64,
) -> Result<Vec<(Budget, Window)>, RateError> {
    let mut next = Vec::with_capacity(budgets.len());
    let mut wait_ms: Option<i64> = None;
    for (budget, window) in budgets.iter().zip(windows) {
        match window.admit(budget.limit, now) {
            Ok(admitted) => next.push((budget.clone(), admitted)),
            Err(wait) => wait_ms = Some(wait_ms.map_or(wait, |w: i64| w.max(wait))),
        }
    }
    match wait_ms {
        Some(ms) => Err(RateError::Limited {
            retry_after_secs: retry_after_secs(ms),
        }),
        None => Ok(next),
    }
}
