//! Starting a challenge: spend each destination's send budget, store the hashed codes, and
//! deliver them, unless `deliver` is false (an unknown account gets the same answer as a
//! known one: the challenge is stored and the budget spent; only the delivery is skipped).
//!
//! Round trips: one consistent `BatchGetItem` of the send windows, then one
//! `TransactWriteItems` (challenge + every window, version-conditioned); a lost race
//! re-reads and retries, at most five times. Then one SMS or email per destination.

use super::codes::{Challenge, CodePurpose, Destination};
use super::window::{retry_after_secs, Limit};
use crate::adapters::dynamo::StoreError;
use crate::domain::ids::ChallengeId;
use crate::domain::secrets::{CODE_LIFETIME_MS, MAX_SENDS_PER_WINDOW, SEND_WINDOW_MS};
use crate::ports::access::ChallengeStore;
use crate::ports::{Email, SendError, Sms};

/// At most 5 sends per destination per 10 minutes.
pub const SEND_LIMIT: Limit = Limit {
    max: MAX_SENDS_PER_WINDOW,
    window_ms: SEND_WINDOW_MS,
};

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum StartError {
    #[error("too many codes sent to this destination")]
    TooManySends { retry_after_secs: u64 },
    #[error("the code could not be delivered")]
    Undeliverable {
        reason: SendError,
        challenge: ChallengeId,
    },
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// What to send, to whom, and what the flow needs back once a code is proven.
pub struct CodeRequest<'a> {
    pub purpose: CodePurpose,
    pub destinations: &'a [Destination],
    /// JSON the completing flow reads back from the challenge.
    pub payload: String,
    /// False for unknown accounts: everything happens except the delivery.
    pub deliver: bool,
}

/// How codes reach people: the gateways and the text around a code (`texts::code_for`;
/// texts carry no PHI).
pub struct Couriers<'a> {
    pub sms: &'a dyn Sms,
    pub email: &'a dyn Email,
    pub compose: &'a (dyn Fn(&Destination, &str) -> (String, String) + Sync),
}

/// Starts a challenge (see the module docs); its id for the client.
pub async fn start(
    store: &impl ChallengeStore,
    couriers: &Couriers<'_>,
    pepper: &[u8],
    request: CodeRequest<'_>,
    now: i64,
) -> Result<ChallengeId, StartError> {
    let (challenge, outgoing) = Challenge::issue(
        pepper,
        request.purpose,
        request.destinations,
        request.payload,
        now + CODE_LIFETIME_MS,
    );
    let keys: Vec<String> = request.destinations.iter().map(Destination::key).collect();
    let mut stored = false;
    for _ in 0..5 {
        match store_with_budget(store, &challenge, &keys, now).await {
            Ok(()) => {
                stored = true;
                break;
            }
            Err(StartError::Store(e)) if e.is_condition_failure() || e == StoreError::Conflict => {
                continue
            }
            Err(e) => return Err(e),
        }
    }
    if !stored {
        return Err(StartError::Store(StoreError::Conflict));
    }
    if request.deliver {
        for out in &outgoing {
            let (subject, text) = (couriers.compose)(&out.destination, &out.code);
            let sent = match &out.destination {
                Destination::Sms(phone) => couriers.sms.send_sms(phone, &text).await,
                Destination::Email(email) => {
                    couriers.email.send_email(email, &subject, &text).await
                }
            };
            sent.map_err(|reason| StartError::Undeliverable {
                reason,
                challenge: challenge.id,
            })?;
        }
    }
    Ok(challenge.id)
}

async fn store_with_budget(
    store: &impl ChallengeStore,
    challenge: &Challenge,
    keys: &[String],
    now: i64,
) -> Result<(), StartError> {
    let windows = store.send_windows(keys).await?;
    let mut next = Vec::with_capacity(keys.len());
    for (key, window) in keys.iter().zip(windows) {
        let admitted = window
            .admit(SEND_LIMIT, now)
            .map_err(|wait| StartError::TooManySends {
                retry_after_secs: retry_after_secs(wait),
            })?;
        next.push((key.clone(), admitted));
    }
    store.store_challenge(challenge, &next, now).await?;
    Ok(())
}
