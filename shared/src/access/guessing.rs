//! Guessing across challenges (NIST SP 800-63B 5.2.2; SECURITY.md "One-time codes"): five
//! wrong codes kill one challenge, but a guesser could start challenge after challenge.
//! So every wrong code is also counted against its destination (the phone number or email
//! the code went to), across challenges:
//!
//! - at most [`FAILED_PER_HOUR`] wrong codes per destination in a sliding hour, and
//! - at most [`FAILED_PER_DAY`] in a sliding day (NIST allows 100 in total; 30 a day gives a
//!   guesser a chance of 30 in a million a day, and the daily lock ends when the day's
//!   failures age out).
//!
//! While either window is full the destination's sign-in (and signup) is locked: a start
//! for it answers 429 `sign_in_locked` with `Retry-After` (when the oldest failure that
//! keeps the window full leaves it), and so does a wrong code once the budget is spent.
//!
//! How the owner is protected from a stranger: *starting* sign-in for someone's number
//! never counts (a start is bounded only by the send budgets, which lock nothing but new
//! sends for ten minutes); only wrong codes do, and the stranger does not have the codes:
//! to lock a number they must type wrong codes, ten in an hour, and the lock always
//! expires on its own (an hour after the burst, or a day at most); the owner can then sign
//! in as usual. A lock never extends itself: refused checks and starts are not counted.
//!
//! A challenge already open when the lock begins can still be answered (its own five
//! checks and ten minutes bound it): the lock is enforced where the destination's windows
//! are read anyway (the start, in the challenge's own round trips) and on the wrong-code
//! path, so a right code costs no extra round trip.
//!
//! Round trips: none on a start or a right code (the windows ride along with the
//! challenge's `BatchGetItem`); a wrong code spends its failure windows with
//! [`super::rate_limit`] (`BatchGetItem` + `TransactWriteItems`).

use super::rate_limit::Budget;
use super::send_budgets::{DAY_MS, HOUR_MS};
use super::window::Limit;

pub const FAILED_PER_HOUR: usize = 10;
pub const FAILED_PER_DAY: usize = 30;

/// The failure windows of one destination key ([`super::codes::Destination::key`]).
pub fn failure_budgets(destination: &str) -> [Budget; 2] {
    [
        Budget {
            kind: "fail-h",
            subject: destination.to_string(),
            limit: Limit {
                max: FAILED_PER_HOUR,
                window_ms: HOUR_MS,
            },
        },
        Budget {
            kind: "fail-d",
            subject: destination.to_string(),
            limit: Limit {
                max: FAILED_PER_DAY,
                window_ms: DAY_MS,
            },
        },
    ]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::access::window::Window;

    #[test]
    fn ten_failures_in_an_hour_lock_until_the_first_leaves_the_hour() {
        let [hour, _] = failure_budgets("+12025550143");
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
        let [hour, day] = failure_budgets("a@example.com");
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
}
