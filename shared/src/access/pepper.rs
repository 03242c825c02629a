//! The one-time-code pepper, read from Secrets Manager without holding up the cold start.
//!
//! In AWS the pepper lives in Secrets Manager (`OTP_PEPPER_SECRET_ID`), never in a Lambda
//! environment variable. Reading it is a network round trip (≈7 ms against the local stack,
//! more in AWS), and awaiting it during init made auth and signup start 4–5× slower than a
//! hello-world function. So the read starts at init, in the background ([`Pepper::prefetch`]),
//! and the first request that makes or checks a code awaits it ([`Pepper::get`]): by then
//! the read has had the rest of init and the request's own first DynamoDB reads to finish
//! in, so the two overlap instead of adding up. Routes that need no code (sessions, logout)
//! never wait for it.
//!
//! Failures: a missing, unreadable or weak secret is logged at `error` once per attempt and
//! answers that request 503 (the store was unreachable) or 500 (the secret is misconfigured);
//! the next request reads it again, so a transient outage heals without a new cold start.

use crate::domain::secrets::MIN_PEPPER_BYTES;
use crate::ports::secrets::{SecretError, SecretSource};
use std::sync::{Arc, Mutex};
use tokio::sync::OnceCell;
use tokio::task::JoinHandle;

/// Why the pepper is not available.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PepperError {
    #[error("this function has no pepper (neither OTP_PEPPER_SECRET_ID nor OTP_PEPPER)")]
    NotConfigured,
    #[error("the pepper secret could not be read: {0}")]
    Unreadable(SecretError),
    #[error("the pepper secret is too short (need at least {MIN_PEPPER_BYTES} bytes)")]
    Weak,
}

/// A read of the secret in flight (started at init).
type Read = JoinHandle<Result<Vec<u8>, PepperError>>;

/// Where the pepper comes from: a value known at start, or a secret to read.
pub struct Pepper {
    value: OnceCell<Vec<u8>>,
    secret: Option<(Arc<dyn SecretSource>, String)>,
    /// The read started at init, taken by the first [`Pepper::get`].
    prefetch: Mutex<Option<Read>>,
}

impl Pepper {
    /// A pepper given directly (`OTP_PEPPER`, for processes outside the stack), or none.
    pub fn fixed(value: Option<Vec<u8>>) -> Self {
        Self {
            value: OnceCell::new_with(value),
            secret: None,
            prefetch: Mutex::new(None),
        }
    }

    /// The pepper held by the secret `id`, its read started now when a Tokio runtime is
    /// running (the functions' init), else on first use.
    pub fn prefetch(source: Arc<dyn SecretSource>, id: String) -> Self {
        let prefetch = tokio::runtime::Handle::try_current().ok().map(|runtime| {
            let (source, id) = (source.clone(), id.clone());
            runtime.spawn(async move { read(source.as_ref(), &id).await })
        });
        Self {
            value: OnceCell::new(),
            secret: Some((source, id)),
            prefetch: Mutex::new(prefetch),
        }
    }

    /// The pepper: the value known at start, the prefetched read's answer, or a new read
    /// when an earlier one failed.
    pub async fn get(&self) -> Result<&[u8], PepperError> {
        self.value
            .get_or_try_init(|| async {
                let Some((source, id)) = &self.secret else {
                    return Err(PepperError::NotConfigured);
                };
                let started = self.prefetch.lock().expect("pepper lock").take();
                let answer = match started {
                    // A panicked or cancelled prefetch is read again.
                    Some(handle) => match handle.await {
                        Ok(answer) => answer,
                        Err(_) => read(source.as_ref(), id).await,
                    },
                    None => read(source.as_ref(), id).await,
                };
                answer.inspect_err(|e| tracing::error!(error = %e, "no code pepper"))
            })
            .await
            .map(Vec::as_slice)
    }
}

async fn read(source: &dyn SecretSource, id: &str) -> Result<Vec<u8>, PepperError> {
    let value = source
        .secret_string(id)
        .await
        .map_err(PepperError::Unreadable)?;
    if value.trim().len() < MIN_PEPPER_BYTES {
        return Err(PepperError::Weak);
    }
    Ok(value.into_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;
    use async_trait::async_trait;
    use std::sync::atomic::{AtomicUsize, Ordering};

    const ID: &str = "arn:aws:secretsmanager:us-east-1:1:secret:pepper";

    /// Answers from a script, one per read, counting the reads.
    struct Scripted {
        answers: Mutex<Vec<Result<String, SecretError>>>,
        reads: AtomicUsize,
    }

    impl Scripted {
        fn new(mut answers: Vec<Result<String, SecretError>>) -> Arc<Self> {
            answers.reverse();
            Arc::new(Self {
                answers: Mutex::new(answers),
                reads: AtomicUsize::new(0),
            })
        }
    }

    #[async_trait]
    impl SecretSource for Scripted {
        async fn secret_string(&self, id: &str) -> Result<String, SecretError> {
            assert_eq!(id, ID);
            self.reads.fetch_add(1, Ordering::SeqCst);
            self.answers.lock().unwrap().pop().expect("an answer")
        }
    }

    const GOOD: &str = "a-pepper-of-thirty-two-bytes-or-so";

    #[tokio::test]
    async fn the_pepper_comes_from_the_named_secret_read_once_from_init() {
        let source = Scripted::new(vec![Ok(GOOD.into())]);
        let pepper = Pepper::prefetch(source.clone(), ID.into());
        // Read in the background as soon as the runtime runs it: before any request asks.
        tokio::task::yield_now().await;
        assert_eq!(source.reads.load(Ordering::SeqCst), 1);
        assert_eq!(pepper.get().await, Ok(GOOD.as_bytes()));
        assert_eq!(pepper.get().await, Ok(GOOD.as_bytes()));
        assert_eq!(source.reads.load(Ordering::SeqCst), 1);
    }

    #[tokio::test]
    async fn a_missing_weak_or_unreadable_secret_is_refused_and_read_again_next_time() {
        let source = Scripted::new(vec![
            Err(SecretError::NotFound),
            Err(SecretError::Unavailable("ThrottlingException".into())),
            Ok("short".into()),
            Ok(GOOD.into()),
        ]);
        let pepper = Pepper::prefetch(source.clone(), ID.into());
        assert_eq!(
            pepper.get().await,
            Err(PepperError::Unreadable(SecretError::NotFound))
        );
        assert_eq!(
            pepper.get().await,
            Err(PepperError::Unreadable(SecretError::Unavailable(
                "ThrottlingException".into()
            )))
        );
        assert_eq!(pepper.get().await, Err(PepperError::Weak));
        assert_eq!(pepper.get().await, Ok(GOOD.as_bytes()));
        assert_eq!(source.reads.load(Ordering::SeqCst), 4);
    }

    #[test]
    fn outside_a_runtime_nothing_is_read_until_first_use() {
        let source = Scripted::new(vec![Ok(GOOD.into())]);
        let pepper = Pepper::prefetch(source.clone(), ID.into());
        assert_eq!(source.reads.load(Ordering::SeqCst), 0);
        let runtime = tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap();
        assert_eq!(runtime.block_on(pepper.get()), Ok(GOOD.as_bytes()));
        assert_eq!(source.reads.load(Ordering::SeqCst), 1);
    }

    #[tokio::test]
    async fn a_fixed_pepper_or_none() {
        let given = Pepper::fixed(Some(GOOD.as_bytes().to_vec()));
        assert_eq!(given.get().await, Ok(GOOD.as_bytes()));
        assert_eq!(
            Pepper::fixed(None).get().await,
            Err(PepperError::NotConfigured)
        );
    }
}
