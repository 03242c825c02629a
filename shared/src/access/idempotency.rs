//! `Idempotency-Key` for mutations that have no natural key (creating a contact, sending an
//! invite): a client that retries after a timeout with the same key gets the first answer
//! back instead of a second contact, a second pending conversation and a second SMS.
//!
//! The record (per caller and key) is claimed with a conditional put (state pending) before
//! the request runs, then holds the answer. The same key with another request → [`
//! IdempotencyError::Reused`]; a retry while the first is still running → [`
//! IdempotencyError::InProgress`]; a request that failed releases its key so it can be
//! retried. Records expire after 24 h.
//!
//! A claim is in progress only until the function that made it would have been stopped
//! (its Lambda deadline, else [`IN_PROGRESS_MS`], the template's function timeout), as in
//! the Powertools idempotency protocol: a request that crashed or timed out after claiming
//! never completes or releases its key, and a retry after that moment takes the claim over
//! (the same conditional put, which also accepts an expired pending claim or a record past
//! its TTL that DynamoDB has not yet deleted) instead of answering 409 for a day. As with
//! Powertools, a request that crashed after its own write committed may then run again:
//! the guarantee is exactly-once for every request that finishes, at-least-once otherwise.
//!
//! Round trips: a fresh key is one `PutItem` before and one `UpdateItem` (or `DeleteItem`)
//! after the request; a replay is the refused `PutItem` and one consistent `GetItem`.

use crate::adapters::dynamo::StoreError;
use crate::domain::ids::AccountId;
use crate::ports::access::IdempotencyStore;
use sha2::{Digest, Sha256};

/// How long a key is remembered.
pub const LIFETIME_MS: i64 = 24 * 3600 * 1000;

/// How long a claim stays in progress when the request's deadline is unknown: the app
/// functions' timeout in `template.yaml` (`Globals.Function.Timeout`, 10 s).
pub const IN_PROGRESS_MS: i64 = 10 * 1000;

/// The longest a Lambda function may run (15 minutes): a deadline beyond it is not one.
const MAX_FUNCTION_MS: i64 = 15 * 60 * 1000;

/// A claim as the store writes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewClaim<'a> {
    pub request_hash: &'a str,
    /// Until when (epoch ms) the claiming request may still be running; after it, another
    /// request may take the claim over.
    pub in_progress_until: i64,
    /// When the record is forgotten (epoch ms).
    pub expires_at: i64,
    pub now: i64,
}

/// Until when a request that starts at `now` may run: its function's deadline when known
/// and plausible, else `now + IN_PROGRESS_MS`.
pub fn in_progress_until(now: i64, deadline: Option<i64>) -> i64 {
    match deadline {
        Some(d) if d > now && d <= now + MAX_FUNCTION_MS => d,
        _ => now + IN_PROGRESS_MS,
    }
}

/// A successful answer as stored for replay.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredAnswer {
    pub status: u16,
    pub body: String,
}

/// A claimed key: which request claimed it, and its answer once it has one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdempotencyRecord {
    pub request_hash: String,
    pub answer: Option<StoredAnswer>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IdempotencyError {
    #[error("the key is not 1 to 128 visible ASCII characters")]
    MalformedKey,
    #[error("this key was used with a different request")]
    Reused,
    #[error("the first request with this key is still running")]
    InProgress,
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// What to do with a request carrying a key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Claim {
    /// The key is ours: run the request, then [`finish`].
    Fresh,
    /// The same request already ran: answer this.
    Replay(StoredAnswer),
}

/// The request's identity: its path and body (a different body under the same key is a
/// client bug, not a retry).
pub fn request_hash(path: &str, body: &[u8]) -> String {
    let mut hasher = Sha256::new();
    hasher.update(path.as_bytes());
    hasher.update([0]);
    hasher.update(body);
    hex::encode(hasher.finalize())
}

/// Claims `key` for the request (which must finish by `deadline`, epoch ms, when known),
/// or finds the answer of the first one.
pub async fn claim(
    store: &impl IdempotencyStore,
    caller: &AccountId,
    key: &str,
    request_hash: &str,
    now: i64,
    deadline: Option<i64>,
) -> Result<Claim, IdempotencyError> {
    if key.is_empty() || key.len() > 128 || !key.bytes().all(|b| b.is_ascii_graphic()) {
        return Err(IdempotencyError::MalformedKey);
    }
    let new = NewClaim {
        request_hash,
        in_progress_until: in_progress_until(now, deadline),
        expires_at: now + LIFETIME_MS,
        now,
    };
    if store.claim_key(caller, key, &new).await? {
        return Ok(Claim::Fresh);
    }
    let record = store.key_record(caller, key).await?;
    match record {
        Some(r) if r.request_hash != request_hash => Err(IdempotencyError::Reused),
        None => Err(IdempotencyError::Reused),
        Some(IdempotencyRecord {
            answer: Some(answer),
            ..
        }) => Ok(Claim::Replay(answer)),
        Some(_) => Err(IdempotencyError::InProgress),
    }
}

/// Stores the answer of a successful request, or releases the key of a failed one. A
/// failure here is logged, not surfaced: the request itself already happened.
pub async fn finish(
    store: &impl IdempotencyStore,
    caller: &AccountId,
    key: &str,
    answer: Option<StoredAnswer>,
) {
    match answer {
        Some(answer) => {
            if store.complete_key(caller, key, &answer).await.is_err() {
                tracing::warn!(
                    "idempotency record not completed; a retry will see 409 until it expires"
                );
            }
        }
        None => {
            let _ = store.release_key(caller, key).await;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_claim_is_in_progress_until_the_deadline_or_the_function_timeout() {
        let now = 1_000_000;
        assert_eq!(in_progress_until(now, Some(now + 3_000)), now + 3_000);
        assert_eq!(in_progress_until(now, None), now + IN_PROGRESS_MS);
        // A deadline already past, or beyond any Lambda's limit, is not trusted.
        assert_eq!(in_progress_until(now, Some(now - 1)), now + IN_PROGRESS_MS);
        assert_eq!(
            in_progress_until(now, Some(now + MAX_FUNCTION_MS + 1)),
            now + IN_PROGRESS_MS
        );
    }
}
