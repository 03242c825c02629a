//! What the hand-signed AWS clients (S3, Secrets Manager) share with the SDK clients they
//! replace: credentials from the [`SdkConfig`], and the SDK's standard retry mode within
//! its attempt and operation timeouts. The SDK clients cost each function a copy of the
//! endpoint-partition tables, parsed at its first client (~0.9M instructions at cold start,
//! measured with callgrind); a handful of calls does not need them.

use aws_config::SdkConfig;
use aws_credential_types::provider::{ProvideCredentials, SharedCredentialsProvider};
use aws_smithy_runtime_api::client::identity::Identity;
use std::future::Future;
use std::time::Duration;

/// How a call is retried and bounded, read off the SDK configuration as the SDK does.
#[derive(Clone, Debug)]
pub struct CallPolicy {
    pub attempt_timeout: Option<Duration>,
    pub operation_timeout: Option<Duration>,
    pub max_attempts: u32,
    pub initial_backoff: Duration,
    pub max_backoff: Duration,
}

/// An attempt's failure, as [`CallPolicy::run`] needs to see it.
pub trait Failure: Sized {
    /// Worth another attempt (no answer, a 5xx, throttling).
    fn is_transient(&self) -> bool;
    /// No answer within `limit`.
    fn timed_out(limit: Duration) -> Self;
}

impl CallPolicy {
    /// The configuration's timeouts and retries; without them, the SDK's defaults (3
    /// attempts, 1 s initial backoff capped at 20 s, no timeouts).
    pub fn from_sdk(sdk: &SdkConfig) -> Self {
        let timeouts = sdk.timeout_config();
        let retries = sdk.retry_config();
        Self {
            attempt_timeout: timeouts.and_then(|t| t.operation_attempt_timeout()),
            operation_timeout: timeouts.and_then(|t| t.operation_timeout()),
            max_attempts: retries.map_or(3, |r| r.max_attempts()).max(1),
            initial_backoff: retries.map_or(Duration::from_secs(1), |r| r.initial_backoff()),
            max_backoff: retries.map_or(Duration::from_secs(20), |r| r.max_backoff()),
        }
    }

    /// `attempt` until it succeeds, fails for good, or the attempts or the operation's
    /// time are spent; each attempt within the attempt timeout.
    pub async fn run<T, E, F, Fut>(&self, mut attempt: F) -> Result<T, E>
    where
        E: Failure,
        F: FnMut() -> Fut,
        Fut: Future<Output = Result<T, E>>,
    {
        let attempts = async {
            let mut number = 1;
            loop {
                match within(self.attempt_timeout, attempt()).await {
                    Err(e) if e.is_transient() && number < self.max_attempts => {
                        tokio::time::sleep(self.backoff(number)).await;
                        number += 1;
                    }
                    other => return other,
                }
            }
        };
        within(self.operation_timeout, attempts).await
    }

    /// Exponential backoff with full jitter: up to `initial × 2^(attempt-1)`, capped.
    fn backoff(&self, attempt: u32) -> Duration {
        let ceiling = self
            .initial_backoff
            .saturating_mul(1 << (attempt - 1).min(16))
            .min(self.max_backoff);
        let mut random = [0u8; 4];
        let fraction = match getrandom::fill(&mut random) {
            Ok(()) => f64::from(u32::from_le_bytes(random)) / f64::from(u32::MAX),
            Err(_) => 0.5,
        };
        ceiling.mul_f64(fraction)
    }
}

/// `work`, or [`Failure::timed_out`] once `limit` has passed.
async fn within<T, E: Failure>(
    limit: Option<Duration>,
    work: impl Future<Output = Result<T, E>>,
) -> Result<T, E> {
    match limit {
        Some(limit) => tokio::time::timeout(limit, work)
            .await
            .unwrap_or_else(|_| Err(E::timed_out(limit))),
        None => work.await,
    }
}

/// The caller's identity now (credentials may rotate), or why there is none.
pub async fn identity(provider: Option<&SharedCredentialsProvider>) -> Result<Identity, String> {
    let provider = provider.ok_or_else(|| "no credentials provider".to_string())?;
    let credentials = provider
        .provide_credentials()
        .await
        .map_err(|e| format!("credentials: {e}"))?;
    Ok(credentials.into())
}

/// The endpoint a hand-signed client calls for `service` (as in `AWS_ENDPOINT_URL_S3`):
/// the service's own override, else `AWS_ENDPOINT_URL`, else the configuration's; `None`
/// means AWS itself. Without a trailing `/`.
pub fn configured_endpoint(sdk: &SdkConfig, service: &str) -> Option<String> {
    crate::app::endpoint_override(service)
        .or_else(|| {
            std::env::var("AWS_ENDPOINT_URL")
                .ok()
                .filter(|u| !u.is_empty())
        })
        .or_else(|| sdk.endpoint_url().map(str::to_string))
        .map(|e| e.trim_end_matches('/').to_string())
}

/// The region calls are signed for and sent to (`us-east-1` when none is configured).
pub fn region(sdk: &SdkConfig) -> String {
    sdk.region()
        .map(|r| r.to_string())
        .unwrap_or_else(|| "us-east-1".to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicU32, Ordering};

    #[derive(Debug, PartialEq)]
    enum Outcome {
        Transient,
        Final,
        TimedOut,
    }

    impl Failure for Outcome {
        fn is_transient(&self) -> bool {
            matches!(self, Outcome::Transient | Outcome::TimedOut)
        }
        fn timed_out(_: Duration) -> Self {
            Outcome::TimedOut
        }
    }

    fn policy(max_attempts: u32) -> CallPolicy {
        CallPolicy {
            attempt_timeout: Some(Duration::from_millis(50)),
            operation_timeout: Some(Duration::from_secs(2)),
            max_attempts,
            initial_backoff: Duration::from_millis(1),
            max_backoff: Duration::from_millis(5),
        }
    }

    #[tokio::test]
    async fn transient_failures_are_retried_until_the_attempts_are_spent() {
        let calls = AtomicU32::new(0);
        let result: Result<(), Outcome> = policy(3)
            .run(|| async {
                calls.fetch_add(1, Ordering::SeqCst);
                Err(Outcome::Transient)
            })
            .await;
        assert_eq!(result, Err(Outcome::Transient));
        assert_eq!(calls.load(Ordering::SeqCst), 3);
    }

    #[tokio::test]
    async fn a_final_failure_is_not_retried_and_a_later_success_is_returned() {
        let calls = AtomicU32::new(0);
        let result: Result<u32, Outcome> = policy(3)
            .run(|| async {
                calls.fetch_add(1, Ordering::SeqCst);
                Err(Outcome::Final)
            })
            .await;
        assert_eq!(
            (result, calls.load(Ordering::SeqCst)),
            (Err(Outcome::Final), 1)
        );

        let calls = AtomicU32::new(0);
        let result: Result<u32, Outcome> = policy(3)
            .run(|| async {
                match calls.fetch_add(1, Ordering::SeqCst) {
                    0 => Err(Outcome::Transient),
                    n => Ok(n),
                }
            })
            .await;
        assert_eq!(result, Ok(1));
    }

    #[tokio::test]
    async fn an_attempt_that_hangs_times_out_and_is_tried_again() {
        let calls = AtomicU32::new(0);
        let result: Result<(), Outcome> = policy(2)
            .run(|| async {
                calls.fetch_add(1, Ordering::SeqCst);
                std::future::pending::<()>().await;
                Ok(())
            })
            .await;
        assert_eq!(result, Err(Outcome::TimedOut));
        assert_eq!(calls.load(Ordering::SeqCst), 2);
    }

    #[test]
    fn backoff_stays_under_its_exponential_ceiling_and_the_cap() {
        let policy = policy(10);
        for attempt in 1..=10 {
            let ceiling = Duration::from_millis(1 << (attempt - 1)).min(policy.max_backoff);
            assert!(policy.backoff(attempt) <= ceiling, "attempt {attempt}");
        }
    }
}
