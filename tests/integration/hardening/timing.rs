//! Item 4, account probing by timing: `POST /v1/auth/start` for a number with an account
//! and for one without take the same code path (the same store calls, and a delivery that
//! goes to the gateway or to a sink that takes as long as the gateway lately has), so the
//! answer's timing does not tell them apart. The test asserts the code path and PRINTS the
//! measured medians (a timing assertion would be flaky on a shared machine).

use super::support::harness_clocked;
use canopy_shared::ports::ManualClock;
use canopy_tests::fixtures::random_phone;
use canopy_tests::Harness;
use serde_json::json;
use std::sync::Arc;
use std::time::Instant;

const TRIES: usize = 200;

/// One sign-in start by phone: its status, the store operations it made, and how long it
/// took.
async fn timed_start(h: &Harness, phone: &str) -> (u16, Vec<String>, f64) {
    timed(h, json!({ "phone": phone })).await
}

async fn timed(h: &Harness, body: serde_json::Value) -> (u16, Vec<String>, f64) {
    h.app.db_calls.reset();
    let began = Instant::now();
    let reply = h.public().auth_start(body).await;
    let took = began.elapsed().as_secs_f64() * 1000.0;
    (reply.status, h.app.db_calls.operations(), took)
}

fn median(mut xs: Vec<f64>) -> f64 {
    xs.sort_by(|a, b| a.partial_cmp(b).unwrap());
    let n = xs.len();
    (xs[(n - 1) / 2] + xs[n / 2]) / 2.0
}

#[tokio::test]
async fn sign_in_start_takes_the_same_path_for_known_and_unknown_numbers() {
    // The clock moves two minutes per round so neither number runs out of sends.
    let clock = Arc::new(ManualClock::new(1_795_320_600_000));
    let h = harness_clocked(clock.clone()).await;
    let owner = h.new_practice("Timing Clinic").await;
    let link = h.new_link(&owner, &[]).await;
    let known = random_phone();
    h.link_signup(&link.code, "Pat Doe", &known, None).await;
    let unknown = random_phone();
    // Warm up both paths (and the sink's estimate of the gateway's time).
    for _ in 0..10 {
        clock.advance_ms(2 * 60 * 1000);
        timed_start(&h, &known).await;
        timed_start(&h, &unknown).await;
    }
    let (mut with, mut without) = (Vec::new(), Vec::new());
    for i in 0..TRIES {
        clock.advance_ms(2 * 60 * 1000);
        // Alternate which goes first, so drift on the machine hits both alike.
        let pair = if i % 2 == 0 {
            let k = timed_start(&h, &known).await;
            (k, timed_start(&h, &unknown).await)
        } else {
            let u = timed_start(&h, &unknown).await;
            (timed_start(&h, &known).await, u)
        };
        let ((ks, kops, kt), (us, uops, ut)) = pair;
        assert_eq!((ks, us), (202, 202));
        // The same code path: the same store calls, in the same order.
        assert_eq!(kops, uops, "try {i}");
        assert_eq!(kops, vec!["GetItem", "BatchGetItem", "TransactWriteItems"]);
        with.push(kt);
        without.push(ut);
    }
    // The unknown number's codes went to the sink, never to the gateway.
    assert!(canopy_tests::moto::sms_to(&unknown).is_empty());
    let (mk, mu) = (median(with), median(without));
    println!(
        "auth/start timing over {TRIES} tries each: median with an account {mk:.2} ms, \
         without {mu:.2} ms, difference {:.2} ms",
        (mk - mu).abs()
    );
}

#[tokio::test]
async fn sign_in_start_by_email_takes_the_same_path_for_known_and_unknown_addresses() {
    let clock = Arc::new(ManualClock::new(1_795_320_600_000));
    let h = harness_clocked(clock.clone()).await;
    let owner = h.new_practice("Timing Mail Clinic").await;
    let unknown = format!(
        "nobody-{}@example.com",
        random_phone().trim_start_matches('+')
    );
    let start = |email: &str| json!({ "email": email });
    for _ in 0..10 {
        clock.advance_ms(2 * 60 * 1000);
        timed(&h, start(&owner.email)).await;
        timed(&h, start(&unknown)).await;
    }
    let (mut with, mut without) = (Vec::new(), Vec::new());
    for i in 0..TRIES {
        clock.advance_ms(2 * 60 * 1000);
        let (k, u) = if i % 2 == 0 {
            let k = timed(&h, start(&owner.email)).await;
            (k, timed(&h, start(&unknown)).await)
        } else {
            let u = timed(&h, start(&unknown)).await;
            (timed(&h, start(&owner.email)).await, u)
        };
        assert_eq!((k.0, u.0), (202, 202));
        assert_eq!(k.1, u.1, "try {i}: the same store calls in the same order");
        with.push(k.2);
        without.push(u.2);
    }
    // The unknown address's codes went to the sink, never to the gateway.
    assert!(canopy_tests::moto::emails_to(&unknown).is_empty());
    assert!(canopy_tests::moto::emails_to(&owner.email).len() > TRIES);
    let (mk, mu) = (median(with), median(without));
    println!(
        "auth/start by email over {TRIES} tries each: median with an account {mk:.2} ms, \
         without {mu:.2} ms, difference {:.2} ms",
        (mk - mu).abs()
    );
}
