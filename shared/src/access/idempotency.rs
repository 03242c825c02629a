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
//! Round trips: a fresh key is one `PutItem` before and one `UpdateItem` (or `DeleteItem`)
//! after the request; a replay is the refused `PutItem` and one consistent `GetItem`.

use crate::adapters::dynamo::StoreError;
use crate::domain::ids::AccountId;
use crate::ports::access::IdempotencyStore;
use sha2::{Digest, Sha256};

/// How long a key is remembered.
pub const LIFETIME_MS: i64 = 24 * 3600 * 1000;

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

/// Claims `key` for the request, or finds the answer of the first one.
pub async fn claim(
    store: &impl IdempotencyStore,
    caller: &AccountId,
    key: &str,
    request_hash: &str,
    now: i64,
) -> Result<Claim, IdempotencyError> {
    if key.is_empty() || key.len() > 128 || !key.bytes().all(|b| b.is_ascii_graphic()) {
        return Err(IdempotencyError::MalformedKey);
    }
    if store
        .claim_key(caller, key, request_hash, now + LIFETIME_MS)
        .await?
    {
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
