//! Starting a challenge: spend each destination's send budget and the public-send budgets
//! ([`super::send_budgets`]: per client address, link, globally), refuse a destination
//! locked by wrong codes ([`super::guessing`]), store the hashed codes, and deliver them.
//!
//! An unknown account gets the same answer as a known one, through the same code path and
//! in the same time: the challenge is stored and every budget spent, and its codes go
//! through [`deliver`] too, only to the sink instead of the gateway. The sink answers after
//! the time this process's real sends of that channel have been taking (a running
//! average, [`LatencyMirror`]), so the answer's timing does not tell whether an account
//! exists (SECURITY.md: "in the same time").
//!
//! Round trips: one consistent `BatchGetItem` (the destinations' send windows, their
//! failure windows and the public-send windows), then one `TransactWriteItems` (challenge +
//! every spent window, version-conditioned); a lost race re-reads and retries after a
//! jittered pause, at most eight times. Then one SMS or email per destination (or the sink's wait).

use super::codes::{Challenge, Channel, CodePurpose, Destination, Outgoing};
use super::guessing::failure_budgets;
use super::rate_limit::Budget;
use super::window::{retry_after_secs, Limit, Window};
use crate::adapters::dynamo::StoreError;
use crate::domain::ids::ChallengeId;
use crate::domain::secrets::{CODE_LIFETIME_MS, MAX_SENDS_PER_WINDOW, SEND_WINDOW_MS};
use crate::ports::access::ChallengeStore;
use crate::ports::{Email, SendError, Sms};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

/// How often a start that lost a race for a budget window re-reads and retries.
const START_ATTEMPTS: u32 = 8;

/// At most 5 sends per destination per 10 minutes.
pub const SEND_LIMIT: Limit = Limit::sliding(MAX_SENDS_PER_WINDOW, SEND_WINDOW_MS);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum StartError {
    /// The destination's own send budget, or a public-send budget, is used up.
    #[error("too many codes sent")]
    TooManySends { retry_after_secs: u64 },
    /// Too many wrong codes for this destination lately ([`super::guessing`]).
    #[error("sign-in to this destination is locked for a while")]
    Locked { retry_after_secs: u64 },
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
    /// False for unknown accounts: everything happens, the codes go to the sink.
    pub deliver: bool,
    /// Public-send budgets spent with the challenge, all or none
    /// ([`super::send_budgets::SendBudgets::budgets`]); empty for none.
    pub budgets: Vec<Budget>,
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
    for attempt in 0..START_ATTEMPTS {
        match store_with_budget(store, &challenge, &keys, &request.budgets, now).await {
            Ok(()) => {
                stored = true;
                break;
            }
            Err(StartError::Store(e)) if e.is_condition_failure() || e == StoreError::Conflict => {
                // Starts racing for one window (a busy link, a global shard) retry after a
                // jittered, growing pause, so they spread out instead of colliding again.
                let ceiling_ms = 10u64 << attempt.min(5);
                let pause = super::send_budgets::random_pick() % ceiling_ms;
                tokio::time::sleep(Duration::from_millis(pause)).await;
            }
            Err(e) => return Err(e),
        }
    }
    if !stored {
        return Err(StartError::Store(StoreError::Conflict));
    }
    for out in &outgoing {
        deliver(couriers, out, request.deliver)
            .await
            .map_err(|reason| StartError::Undeliverable {
                reason,
                challenge: challenge.id,
            })?;
    }
    Ok(challenge.id)
}

/// Sends one code, to the gateway (`real`) or to the sink, which takes as long as the
/// gateway has lately been taking. Both go through here, so they differ only in that.
async fn deliver(couriers: &Couriers<'_>, out: &Outgoing, real: bool) -> Result<(), SendError> {
    let (subject, text) = (couriers.compose)(&out.destination, &out.code);
    let mirror = LatencyMirror::of(out.destination.kind());
    let began = Instant::now();
    let sent = if real {
        match &out.destination {
            Destination::Sms(phone) => couriers.sms.send_sms(phone, &text).await,
            Destination::Email(email) => couriers.email.send_email(email, &subject, &text).await,
        }
    } else {
        tokio::time::sleep(mirror.estimate()).await;
        Ok(())
    };
    if real {
        mirror.record(began.elapsed());
    }
    sent
}

/// A running average (1/8 weight per sample) of how long a channel's real sends take in
/// this process; the sink waits that long. Before the first real send it is
/// [`LatencyMirror::PRIOR`], a typical in-region SES/SNS call.
pub struct LatencyMirror(&'static AtomicU64);

static SMS_MICROS: AtomicU64 = AtomicU64::new(LatencyMirror::PRIOR);
static EMAIL_MICROS: AtomicU64 = AtomicU64::new(LatencyMirror::PRIOR);

impl LatencyMirror {
    pub const PRIOR: u64 = 40_000;

    pub fn of(channel: Channel) -> Self {
        match channel {
            Channel::Sms => Self(&SMS_MICROS),
            Channel::Email => Self(&EMAIL_MICROS),
        }
    }

    pub fn estimate(&self) -> Duration {
        Duration::from_micros(self.0.load(Ordering::Relaxed))
    }

    pub fn record(&self, took: Duration) {
        let sample = took.as_micros().min(10_000_000) as u64;
        // A lost update between concurrent samples only drops a sample.
        let old = self.0.load(Ordering::Relaxed);
        self.0.store(old - old / 8 + sample / 8, Ordering::Relaxed);
    }
}

async fn store_with_budget(
    store: &impl ChallengeStore,
    challenge: &Challenge,
    keys: &[String],
    budgets: &[Budget],
    now: i64,
) -> Result<(), StartError> {
    let locks: Vec<Budget> = keys.iter().flat_map(|k| failure_budgets(k)).collect();
    let mut read: Vec<Budget> = locks.clone();
    read.extend_from_slice(budgets);
    let (sends, rates) = store.send_windows(keys, &read).await?;
    let (lock_windows, budget_windows) = rates.split_at(locks.len());
    // Locked: how long until every full failure window has room (only read, never spent).
    if let Some(wait) = longest_wait(&locks, lock_windows, now) {
        return Err(StartError::Locked {
            retry_after_secs: retry_after_secs(wait),
        });
    }
    let mut next = Vec::with_capacity(keys.len());
    for (key, window) in keys.iter().zip(sends) {
        let admitted = window
            .admit(SEND_LIMIT, now)
            .map_err(|wait| StartError::TooManySends {
                retry_after_secs: retry_after_secs(wait),
            })?;
        next.push((key.clone(), admitted));
    }
    if let Some(wait) = longest_wait(budgets, budget_windows, now) {
        return Err(StartError::TooManySends {
            retry_after_secs: retry_after_secs(wait),
        });
    }
    let spent: Vec<(Budget, Window)> = budgets
        .iter()
        .zip(budget_windows)
        .filter_map(|(b, w)| w.admit(b.limit, now).ok().map(|w| (b.clone(), w)))
        .collect();
    store.store_challenge(challenge, &next, &spent, now).await?;
    Ok(())
}

/// The longest wait among the windows that have no room, if any.
fn longest_wait(budgets: &[Budget], windows: &[Window], now: i64) -> Option<i64> {
    budgets
        .iter()
        .zip(windows)
        .filter_map(|(b, w)| w.admit(b.limit, now).err())
        .max()
}
