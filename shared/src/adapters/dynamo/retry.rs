//! Retrying a transaction that DynamoDB cancelled for a `TransactionConflict` (another
//! transaction was writing the same item at that moment): SECURITY.md "conflicts retried
//! with jitter, a bounded number of times". Only conflicts are retried; a refused
//! condition is an answer, not a race, and returns at once.

use super::StoreError;
use std::time::Duration;

/// How many times the write is tried in all (the first try and five retries).
pub const CONFLICT_ATTEMPTS: u32 = 6;

/// A transaction's write attempt, retried on `TransactionConflict` up to
/// [`CONFLICT_ATTEMPTS`] tries in all with jittered, growing pauses ([`conflict_pause`]);
/// other outcomes return at once. Once the tries are spent the caller gets
/// `StoreError::Conflict` (which the HTTP edge answers 503 with `Retry-After`).
pub async fn with_conflict_retry<F, Fut, T>(mut attempt: F) -> Result<T, StoreError>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Result<T, StoreError>>,
{
    let mut tries = 0;
    loop {
        match attempt().await {
            Err(StoreError::Conflict) if tries + 1 < CONFLICT_ATTEMPTS => {
                tries += 1;
                let mut jitter = [0u8; 1];
                let _ = getrandom::fill(&mut jitter);
                tokio::time::sleep(conflict_pause(tries, jitter[0])).await;
            }
            other => return other,
        }
    }
}

/// The pause before retry number `retry` (1-based) with the random byte `jitter`: a base
/// that doubles with each retry (20, 40, 80, 160, 320 ms) plus a random part below the base
/// (and below 256 ms), so writers that collided spread out instead of colliding again.
pub fn conflict_pause(retry: u32, jitter: u8) -> Duration {
    let base = 10u64 << retry.min(5);
    Duration::from_millis(base + u64::from(jitter) % base)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicU32, Ordering};
    use std::time::Instant;

    #[test]
    fn pauses_grow_and_stay_between_the_base_and_the_base_plus_the_jitter() {
        for retry in 1..CONFLICT_ATTEMPTS {
            let base = 10u64 << retry;
            let pauses: Vec<u64> = (0..=255u8)
                .map(|j| conflict_pause(retry, j).as_millis() as u64)
                .collect();
            assert_eq!(*pauses.iter().min().unwrap(), base, "retry {retry}");
            let spread = (base - 1).min(255);
            assert_eq!(
                *pauses.iter().max().unwrap(),
                base + spread,
                "retry {retry}"
            );
        }
        // Different random bytes give different pauses: the jitter is real.
        assert_ne!(conflict_pause(1, 0), conflict_pause(1, 7));
        assert_eq!(
            conflict_pause(1, 20),
            conflict_pause(1, 0),
            "modulo the base"
        );
    }

    #[tokio::test]
    async fn conflicts_are_tried_six_times_then_the_caller_gets_the_conflict() {
        let tries = AtomicU32::new(0);
        let began = Instant::now();
        let r: Result<(), _> = with_conflict_retry(|| async {
            tries.fetch_add(1, Ordering::SeqCst);
            Err(StoreError::Conflict)
        })
        .await;
        assert_eq!(r, Err(StoreError::Conflict));
        assert_eq!(tries.load(Ordering::SeqCst), CONFLICT_ATTEMPTS);
        // Five pauses of at least 20 + 40 + 80 + 160 + 320 ms were taken.
        assert!(began.elapsed() >= Duration::from_millis(620));
    }

    #[tokio::test]
    async fn a_retry_that_succeeds_returns_its_answer_and_other_errors_are_not_retried() {
        let tries = AtomicU32::new(0);
        let r = with_conflict_retry(|| async {
            match tries.fetch_add(1, Ordering::SeqCst) {
                0 | 1 => Err(StoreError::Conflict),
                n => Ok(n),
            }
        })
        .await;
        assert_eq!(r, Ok(2));
        for refused in [
            StoreError::ConditionFailed,
            StoreError::Other("boom".into()),
        ] {
            let tries = AtomicU32::new(0);
            let r: Result<(), _> = with_conflict_retry(|| async {
                tries.fetch_add(1, Ordering::SeqCst);
                Err(refused.clone())
            })
            .await;
            assert_eq!(r, Err(refused));
            assert_eq!(tries.load(Ordering::SeqCst), 1);
        }
    }
}
