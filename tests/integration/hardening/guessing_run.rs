//! Row 16, NIST's "at most 100 consecutive failed attempts per account": wrong codes
//! spread over days, paced under the hourly and daily locks, still add up to a run; at
//! the hundredth in a row the number's sign-in locks for a day, a right code before that
//! resets the run, and the owner gets in once the day has passed.

use super::guessing::{fail, patient, sign_in, start, wrong, HOUR, MINUTE};
use super::support::{assert_limited, harness_clocked};
use canopy_shared::access::guessing::{FAILED_IN_A_ROW, FAILED_PER_DAY, FAILED_PER_HOUR};
use canopy_shared::ports::ManualClock;
use canopy_tests::fixtures::random_phone;
use canopy_tests::{moto, Harness};
use std::sync::Arc;

const DAY: i64 = 24 * HOUR;

/// Types `total` wrong codes for `phone`, at most a day's worth, in bursts of an hour's
/// worth an hour apart (so neither sliding lock is hit), then lets the day pass.
async fn a_day_of_failures(h: &Harness, clock: &ManualClock, phone: &str, total: usize) {
    assert!(total <= FAILED_PER_DAY);
    let mut left = total;
    while left > 0 {
        let burst = left.min(FAILED_PER_HOUR - 1);
        fail(h, phone, burst).await;
        left -= burst;
        clock.advance_ms(HOUR + MINUTE);
    }
    clock.advance_ms(DAY);
}

/// Types `total` wrong codes over as many days as the daily lock needs.
async fn failures_over_days(h: &Harness, clock: &ManualClock, phone: &str, total: usize) {
    let per_day = FAILED_PER_DAY - 3;
    let mut left = total;
    while left > 0 {
        let today = left.min(per_day);
        a_day_of_failures(h, clock, phone, today).await;
        left -= today;
    }
}

#[tokio::test]
async fn a_hundred_wrong_codes_in_a_row_lock_the_number_for_a_day_and_a_right_code_resets_the_run()
{
    let clock = Arc::new(ManualClock::new(1_795_320_600_000));
    let h = harness_clocked(clock.clone()).await;
    let phone = random_phone();
    patient(&h, &phone).await;
    assert_eq!(FAILED_IN_A_ROW, 100);

    // 99 wrong codes over four days, never tripping the hourly or daily lock; then the
    // owner signs in, which resets the run.
    failures_over_days(&h, &clock, &phone, FAILED_IN_A_ROW - 1).await;
    let owner = sign_in(&h, &phone).await;
    assert_eq!(owner.status, 200, "{}", owner.text);

    // Another 99 over the next days are all still answered `wrong_code` (without the
    // reset the first of them would have been the hundredth).
    failures_over_days(&h, &clock, &phone, FAILED_IN_A_ROW - 1).await;

    // The hundredth in a row: answered `wrong_code` with no attempts left…
    let started = start(&h, &phone).await;
    assert_eq!(started.status, 202, "{}", started.text);
    let code = moto::latest_sms_code(&phone).unwrap();
    let challenge = started.string("challenge_id");
    let hundredth = h.public().auth_verify(&challenge, &wrong(&code)).await;
    assert_eq!(hundredth.error_code(), "wrong_code", "{}", hundredth.text);
    assert!(
        hundredth.error_message().contains(" 0 attempts"),
        "{}",
        hundredth.text
    );
    // …and the challenge it was typed into compares nothing more, not even the right code.
    let right = h.public().auth_verify(&challenge, &code).await;
    assert_eq!(right.status, 429, "{}", right.text);
    assert_eq!(right.error_code(), "too_many_attempts", "{}", right.text);

    // Sign-in to the number is locked for a day (not by the hour's or the day's window:
    // this is the only failure in the last day).
    clock.advance_ms(MINUTE);
    let locked = start(&h, &phone).await;
    let wait = assert_limited(&locked, "sign_in_locked");
    assert!(wait > 23 * 3600 && wait <= 24 * 3600, "{wait}");
    // Still locked a minute before the day is over.
    clock.advance_ms(wait as i64 * 1000 - 2 * MINUTE);
    assert_limited(&start(&h, &phone).await, "sign_in_locked");

    // Past the day one more code may be tried; a wrong one locks for another day.
    clock.advance_ms(2 * MINUTE);
    let started = start(&h, &phone).await;
    assert_eq!(started.status, 202, "{}", started.text);
    let code = moto::latest_sms_code(&phone).unwrap();
    let one_more = h
        .public()
        .auth_verify(&started.string("challenge_id"), &wrong(&code))
        .await;
    assert_eq!(one_more.error_code(), "wrong_code", "{}", one_more.text);
    let wait = assert_limited(&start(&h, &phone).await, "sign_in_locked");
    assert!(wait > 23 * 3600 && wait <= 24 * 3600, "{wait}");

    // The owner, with the right code after that day, gets in, and the run starts over: a
    // wrong code afterwards leaves the number open.
    clock.advance_ms(wait as i64 * 1000);
    let owner = sign_in(&h, &phone).await;
    assert_eq!(owner.status, 200, "{}", owner.text);
    clock.advance_ms(MINUTE);
    fail(&h, &phone, 1).await;
    assert_eq!(start(&h, &phone).await.status, 202);
}
