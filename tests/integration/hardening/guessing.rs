//! Item 3, guessing across challenges: wrong codes are counted per destination over an
//! hour and a day, and past the budget that destination's sign-in locks with a clear
//! 429 `sign_in_locked`; the lock expires and the owner gets in; starts alone lock nobody.

use super::support::{assert_limited, harness_clocked};
use canopy_shared::access::guessing::{FAILED_PER_DAY, FAILED_PER_HOUR};
use canopy_shared::ports::ManualClock;
use canopy_tests::fixtures::random_phone;
use canopy_tests::{moto, Harness, Reply};
use serde_json::json;
use std::sync::Arc;

pub(super) const MINUTE: i64 = 60 * 1000;
pub(super) const HOUR: i64 = 60 * MINUTE;

pub(super) fn wrong(code: &str) -> String {
    let n: u32 = code.parse().unwrap();
    format!("{:06}", (n + 1) % 1_000_000)
}

pub(super) async fn start(h: &Harness, phone: &str) -> Reply {
    h.public().auth_start(json!({ "phone": phone })).await
}

/// A patient with an account on `phone` (signed up through a link).
pub(super) async fn patient(h: &Harness, phone: &str) {
    let owner = h.new_practice("Guess Clinic").await;
    let link = h.new_link(&owner, &[]).await;
    h.link_signup(&link.code, "Pat Doe", phone, None).await;
}

/// Types `total` wrong codes for `phone`, four per fresh challenge (below the challenge's
/// own five, so every one is compared and counted), each answered `wrong_code`.
pub(super) async fn fail(h: &Harness, phone: &str, total: usize) {
    let mut left = total;
    while left > 0 {
        let started = start(h, phone).await;
        assert_eq!(started.status, 202, "{}", started.text);
        let code = moto::latest_sms_code(phone).unwrap();
        let challenge = started.string("challenge_id");
        for _ in 0..left.min(4) {
            let reply = h.public().auth_verify(&challenge, &wrong(&code)).await;
            assert_eq!(reply.error_code(), "wrong_code", "{}", reply.text);
            left -= 1;
        }
    }
}

pub(super) async fn sign_in(h: &Harness, phone: &str) -> Reply {
    let started = start(h, phone).await;
    assert_eq!(started.status, 202, "{}", started.text);
    let code = moto::latest_sms_code(phone).unwrap();
    h.public()
        .auth_verify(&started.string("challenge_id"), &code)
        .await
}

#[tokio::test]
async fn wrong_codes_across_challenges_lock_the_number_until_the_hour_passes() {
    let clock = Arc::new(ManualClock::new(1_795_320_600_000));
    let h = harness_clocked(clock.clone()).await;
    let phone = random_phone();
    patient(&h, &phone).await;
    // Fresh challenges, wrong codes in each: the hour's ten.
    assert_eq!(FAILED_PER_HOUR, 10);
    fail(&h, &phone, FAILED_PER_HOUR).await;
    clock.advance_ms(2 * MINUTE);
    // A third challenge is refused: the number's sign-in is locked, and says until when.
    let locked = start(&h, &phone).await;
    let wait = assert_limited(&locked, "sign_in_locked");
    assert!(wait > 3000 && wait <= 3600, "{wait}");
    // Patient signup to that number is locked as well (the same destination).
    let owner = h.new_practice("Other Clinic").await;
    let link = h.new_link(&owner, &[]).await;
    let signup = h
        .public()
        .signup_start(json!({"name": "Pat Doe", "phone": phone, "link_code": link.code}))
        .await;
    assert_limited(&signup, "sign_in_locked");
    // Still locked a moment before the first failure leaves the hour…
    clock.advance_ms(HOUR - 2 * MINUTE - 1_000);
    assert_limited(&start(&h, &phone).await, "sign_in_locked");
    // …and the owner gets in once the lock has expired.
    clock.advance_ms(2 * MINUTE);
    let back = sign_in(&h, &phone).await;
    assert_eq!(back.status, 200, "{}", back.text);
}

#[tokio::test]
async fn thirty_wrong_codes_in_a_day_lock_the_number_for_the_rest_of_the_day() {
    let clock = Arc::new(ManualClock::new(1_795_320_600_000));
    let h = harness_clocked(clock.clone()).await;
    let phone = random_phone();
    patient(&h, &phone).await;
    // Ten an hour, three hours running (each hour's lock lifts, the day's adds up).
    for _ in 0..FAILED_PER_DAY / FAILED_PER_HOUR {
        fail(&h, &phone, FAILED_PER_HOUR).await;
        clock.advance_ms(HOUR + MINUTE);
    }
    let locked = start(&h, &phone).await;
    let wait = assert_limited(&locked, "sign_in_locked");
    assert!(wait > 20 * 3600 && wait <= 24 * 3600, "{wait}");
    clock.advance_ms(wait as i64 * 1000);
    let back = sign_in(&h, &phone).await;
    assert_eq!(back.status, 200, "{}", back.text);
}

#[tokio::test]
async fn a_stranger_starting_sign_in_over_and_over_locks_nobody_out() {
    let clock = Arc::new(ManualClock::new(1_795_320_600_000));
    let h = harness_clocked(clock.clone()).await;
    let phone = random_phone();
    patient(&h, &phone).await;
    clock.advance_ms(10 * MINUTE + 1);
    // Forty starts over an hour and a half, as fast as the send budget allows (five per
    // ten minutes), without ever typing a code.
    for _ in 0..8 {
        for _ in 0..5 {
            assert_eq!(start(&h, &phone).await.status, 202);
        }
        assert_limited(&start(&h, &phone).await, "rate_limited");
        clock.advance_ms(10 * MINUTE + 1);
    }
    // The owner signs in as usual.
    let owner = sign_in(&h, &phone).await;
    assert_eq!(owner.status, 200, "{}", owner.text);
}
