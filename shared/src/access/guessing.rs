//! Guessing across challenges (NIST SP 800-63B 5.2.2; SECURITY.md "One-time codes"): five
//! wrong codes kill one challenge, but a guesser could start challenge after challenge.
//! So every wrong code is also counted against its destination (the phone number or email
//! the code went to), across challenges:
//!
//! - at most [`FAILED_PER_HOUR`] wrong codes per destination in a sliding hour,
//! - at most [`FAILED_PER_DAY`] in a sliding day (30 a day gives a guesser a chance of 30
//!   in a million a day, and the daily lock ends when the day's failures age out), and
//! - at most [`FAILED_IN_A_ROW`] in a row, whatever the time between them (NIST: "no more
//!   than 100 consecutive failed attempts on a single subscriber account"). The run is
//!   kept until a right code resets it (the consuming transaction deletes it,
//!   `adapters::dynamo::access::consume_challenge`), or a year without failures.
//!
//! Per account: a destination is an account's sign-in identifier (one login item per staff
//! email and per patient phone, pointing at one account), so counting per destination
//! counts per account, and counts a number with no account yet the same way (a start for
//! an unknown number must look like a known one, so it cannot be told apart anyway).
//!
//! While any of them is full the destination's sign-in (and signup) is locked: a start
//! for it answers 429 `sign_in_locked` with `Retry-After` (when the oldest failure that
//! keeps the window full leaves it), and so does a wrong code once the budget is spent.
//! The wrong code that fills a window also uses up the rest of its challenge's checks
//! (in the same write), so once a lock begins no further code is compared: every code a
//! guesser ever gets compared is counted.
//!
//! The hundredth failure in a row, and what the owner can still do: the run's lock lasts
//! [`RUN_LOCK_MS`] (a day) after the latest failure; then one more code may be tried.
//! A right one (the owner's) resets the run; a wrong one locks for another day. So past
//! the cap a guesser gets one guess a day (a chance of about 1 in 2,700 a year on top of
//! the first hundred's 1 in 10,000), and a stranger who types wrong codes for someone's
//! number cannot lock its owner out for good: every lock ends by itself, and the owner's
//! first code after it gets them in. (A stranger who types a wrong code the moment each
//! lock ends keeps renewing it, one guess a day; API.md has no route to reset a run by
//! hand, so that case is left to support, who can delete the `RATE#fail-run#` item.)
//!
//! How else the owner is protected from a stranger: *starting* sign-in for someone's
//! number never counts (a start is bounded only by the send budgets, which lock nothing
//! but new sends for ten minutes); only wrong codes do, and the stranger does not have
//! the codes: to lock a number they must type wrong codes, ten in an hour, and the hourly
//! and daily locks expire on their own. A lock never extends itself: refused checks and
//! starts are not counted.
//!
//! Round trips: none on a start or a right code (the windows ride along with the
//! challenge's `BatchGetItem`; the reset rides in the consuming transaction); a wrong code
//! spends its failure windows ([`count_failure`]: `BatchGetItem` + `TransactWriteItems`).

use super::codes::Challenge;
use super::rate_limit::{Budget, RateError};
use super::send_budgets::{DAY_MS, HOUR_MS};
use super::window::Limit;
use crate::adapters::dynamo::StoreError;
use crate::ports::access::ChallengeStore;

pub const FAILED_PER_HOUR: usize = 10;
pub const FAILED_PER_DAY: usize = 30;
/// NIST SP 800-63B's ceiling on consecutive failures for one account.
pub const FAILED_IN_A_ROW: usize = 100;
/// How long a full run locks, after its latest failure.
pub const RUN_LOCK_MS: i64 = DAY_MS;
/// The budget kind of the run of failures in a row (reset by a right code).
pub const RUN_KIND: &str = "fail-run";

/// How often a wrong code that lost a race for its windows re-reads and retries (wrong
/// codes for one destination may be typed concurrently).
const FAILURE_TRIES: u32 = 12;

/// The failure windows of one destination key ([`super::codes::Destination::key`]).
pub fn failure_budgets(destination: &str) -> [Budget; 3] {
    let budget = |kind, limit| Budget {
        kind,
        subject: destination.to_string(),
        limit,
    };
    [
        budget("fail-h", Limit::sliding(FAILED_PER_HOUR, HOUR_MS)),
        budget("fail-d", Limit::sliding(FAILED_PER_DAY, DAY_MS)),
        budget(RUN_KIND, Limit::run(FAILED_IN_A_ROW, RUN_LOCK_MS)),
    ]
}

/// Counts a wrong code for `challenge` against its destinations' failure windows, all or
/// none. `Ok(true)` when this failure filled a window (then the challenge's remaining
/// checks were used up in the same write); `Limited` when a window was already full
/// (nothing counted).
pub async fn count_failure(
    store: &impl ChallengeStore,
    challenge: &Challenge,
    now: i64,
) -> Result<bool, RateError> {
    let budgets: Vec<Budget> = challenge
        .codes
        .iter()
        .flat_map(|slot| failure_budgets(&slot.destination))
        .collect();
    for attempt in 0..FAILURE_TRIES {
        if attempt > 0 {
            let jitter = super::send_budgets::random_pick() % (5 * attempt as u64 + 1);
            tokio::time::sleep(std::time::Duration::from_millis(jitter)).await;
        }
        let current = store.rate_windows(&budgets).await?;
        let next = super::rate_limit::admit_all(&budgets, current, now)?;
        let fills = next.iter().any(|(b, w)| w.admit(b.limit, now).is_err());
        let close = fills.then_some(&challenge.id);
        match store.record_failure(&next, close, now).await {
            Ok(()) => return Ok(fills),
            Err(e) if e.is_condition_failure() || e == StoreError::Conflict => continue,
            Err(e) => return Err(e.into()),
        }
    }
    Err(RateError::Store(StoreError::Conflict))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::access::window::Window;

    #[test]
    fn ten_failures_in_an_hour_lock_until_the_first_leaves_the_hour() {
        let [hour, _, _] = failure_budgets("+12025550143");
        let mut window = Window::default();
        for i in 0..FAILED_PER_HOUR as i64 {
            window = window.admit(hour.limit, i * 60_000).unwrap();
        }
        let wait = window.admit(hour.limit, 10 * 60_000).unwrap_err();
        assert_eq!(wait, HOUR_MS - 10 * 60_000);
        assert!(window.admit(hour.limit, HOUR_MS + 1).is_ok());
    }

    #[test]
    fn thirty_failures_in_a_day_lock_at_most_a_day() {
        let [hour, day, _] = failure_budgets("a@example.com");
        let (mut h, mut d) = (Window::default(), Window::default());
        // Ten an hour, three hours running: the hourly lock lifts each hour, the daily one
        // holds after thirty.
        for i in 0..FAILED_PER_DAY as i64 {
            let at = (i / 10) * (HOUR_MS + 1) + (i % 10);
            h = h.admit(hour.limit, at).unwrap_or(h);
            d = d.admit(day.limit, at).unwrap();
        }
        let now = 3 * HOUR_MS + 10;
        assert!(h.admit(hour.limit, now).is_ok());
        let wait = d.admit(day.limit, now).unwrap_err();
        assert_eq!(wait, DAY_MS - now);
    }

    #[test]
    fn a_hundred_failures_in_a_row_lock_a_day_then_allow_one_a_day() {
        let [_, _, run] = failure_budgets("+12025550143");
        let mut w = Window::default();
        // Five a day for twenty days: the sliding windows never fill, the run does.
        for i in 0..FAILED_IN_A_ROW as i64 {
            w = w.admit(run.limit, (i / 5) * DAY_MS + i).unwrap();
        }
        let latest = 19 * DAY_MS + 99;
        assert_eq!(w.admit(run.limit, latest + 1), Err(DAY_MS - 1));
        let again = w.admit(run.limit, latest + DAY_MS).unwrap();
        assert_eq!(again.hits.len(), FAILED_IN_A_ROW);
        assert_eq!(again.admit(run.limit, latest + DAY_MS + 1), Err(DAY_MS - 1));
    }
}
