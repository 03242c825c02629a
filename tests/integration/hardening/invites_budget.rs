//! Item 2 (second half): invites are budgeted per practice per hour and per day (lower for
//! a practice younger than a day) and per contact, so a throwaway practice cannot become a
//! phishing or toll-fraud channel. Refusals are 429 with `Retry-After` and send nothing.

use super::support::{assert_limited, harness_clocked_with};
use canopy_shared::invites::rules::InviteBudgets;
use canopy_shared::ports::ManualClock;
use canopy_tests::fixtures::{random_phone, Staff};
use canopy_tests::{moto, Harness};
use serde_json::json;
use std::sync::Arc;

const HOUR: i64 = 60 * 60 * 1000;

fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis() as i64
}

/// A practice two days old by the app's clock (its id carries its creation time), with a
/// fresh staff session (a staff session lasts 12 hours).
async fn older_than_a_day(h: &Harness, clock: &ManualClock, name: &str) -> Staff {
    let staff = h.new_practice(name).await;
    clock.advance_ms(48 * HOUR);
    let token = h.sign_in_by_email(&staff.email).await;
    Staff { token, ..staff }
}

/// Invites a new contact with a fresh phone; the answer and the phone.
async fn invite_someone(h: &Harness, staff: &Staff) -> (canopy_tests::Reply, String) {
    let phone = random_phone();
    let contact = h.new_contact(staff, "Ann Lee", Some(&phone), None).await;
    let reply = h
        .api(staff)
        .invite(json!({"contact_id": contact["id"]}))
        .await;
    (reply, phone)
}

#[tokio::test]
async fn a_practice_younger_than_a_day_is_cut_off_at_five_invites_an_hour() {
    let clock = Arc::new(ManualClock::new(now_ms()));
    let h = harness_clocked_with(clock.clone(), |s| {
        s.invite_budgets = InviteBudgets::default()
    })
    .await;
    let staff = h.new_practice("Fresh Practice").await;
    for _ in 0..5 {
        let (reply, phone) = invite_someone(&h, &staff).await;
        assert_eq!(reply.status, 201, "{}", reply.text);
        assert_eq!(moto::sms_to(&phone).len(), 1);
    }
    let (refused, phone) = invite_someone(&h, &staff).await;
    let wait = assert_limited(&refused, "rate_limited");
    assert!(wait <= 3600, "{wait}");
    assert!(
        moto::sms_to(&phone).is_empty(),
        "nothing sent past the budget"
    );
    // An hour later it may send again, up to its first day's fifteen.
    clock.advance_ms(HOUR + 1);
    let (reply, _) = invite_someone(&h, &staff).await;
    assert_eq!(reply.status, 201, "{}", reply.text);
}

#[tokio::test]
async fn a_practice_older_than_a_day_gets_its_hourly_budget() {
    // The practice's id carries its creation time; the app's clock is two days later.
    let clock = Arc::new(ManualClock::new(now_ms()));
    let h = harness_clocked_with(clock.clone(), |s| {
        s.invite_budgets = InviteBudgets {
            per_practice_hour: 7,
            ..InviteBudgets::default()
        }
    })
    .await;
    let staff = older_than_a_day(&h, &clock, "Settled Practice").await;
    for _ in 0..7 {
        let (reply, _) = invite_someone(&h, &staff).await;
        assert_eq!(reply.status, 201, "{}", reply.text);
    }
    let (refused, _) = invite_someone(&h, &staff).await;
    assert_limited(&refused, "rate_limited");
}

#[tokio::test]
async fn one_contact_gets_at_most_five_invite_texts_a_day() {
    let clock = Arc::new(ManualClock::new(now_ms()));
    let h = harness_clocked_with(clock.clone(), |s| {
        s.invite_budgets = InviteBudgets::default()
    })
    .await;
    let staff = older_than_a_day(&h, &clock, "Persistent Practice").await;
    let (invite, phone) = invite_someone(&h, &staff).await;
    assert_eq!(invite.status, 201, "{}", invite.text);
    let id = invite.string("id");
    // Three resends in the first hour (the invite's own limit), one more an hour later.
    for _ in 0..3 {
        assert_eq!(h.api(&staff).resend_invite(&id).await.status, 200);
    }
    clock.advance_ms(HOUR + 1);
    assert_eq!(h.api(&staff).resend_invite(&id).await.status, 200);
    assert_eq!(moto::sms_to(&phone).len(), 5);
    // The contact's day is spent: a resend two hours later is refused until it ages out.
    clock.advance_ms(2 * HOUR);
    let refused = h.api(&staff).resend_invite(&id).await;
    let wait = assert_limited(&refused, "rate_limited");
    assert!(wait > 20 * 3600 && wait <= 24 * 3600, "{wait}");
    assert_eq!(moto::sms_to(&phone).len(), 5, "nothing more was texted");
}
