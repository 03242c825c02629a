//! The re-drive of standard messages the stream never sent (`standard::redrive`, row 58 of
//! SECURITY.md: "…and the message is never lost"): a message whose stream record ran out
//! of retries stays in the sparse `SEND#DUE` index, and the minute sweep
//! (`RemindersFunction`) sends it once after its re-drive time, leases it against
//! overlapping sweeps, retries it after an outage, and fails it as `expired` after a day.
//! A message the stream did send is out of the index and never sent again.

use super::{item, practice, sms_conversation, sms_records, ChannelPractice, Private};
use canopy_shared::adapters::dynamo::{get_s, keys};
use canopy_shared::ports::ManualClock;
use canopy_shared::standard::redrive::{GIVE_UP_AFTER_MS, LEASE_MS, REDRIVE_AFTER_MS};
use canopy_tests::fixtures::random_phone;
use serde_json::{json, Value};
use std::sync::Arc;

/// A practice, a patient's number and their SMS conversation, on a clock the test moves.
async fn scene(name: &str) -> (Private, Arc<ManualClock>, ChannelPractice, String, String) {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis() as i64;
    let clock = Arc::new(ManualClock::new(now));
    let s = Private::with_clock(clock.clone()).await;
    let p = practice(&s.h, name).await;
    let patient = random_phone();
    let c = sms_conversation(&s.h, &p, &patient).await;
    (s, clock, p, patient, c)
}

/// Staff post `text` through the API (201, queued); returns the message id.
async fn post(s: &Private, p: &ChannelPractice, c: &str, text: &str) -> String {
    let reply =
        s.h.call(
            "POST",
            &format!("/v1/conversations/{c}/messages"),
            Some(json!({"text": text, "client_message_id": ulid::Ulid::new().to_string()})),
            Some(&p.staff.token),
        )
        .await;
    assert_eq!(reply.status, 201, "{}", reply.text);
    assert_eq!(reply.json()["delivery"]["status"], "queued");
    reply.json()["id"].as_str().unwrap().to_string()
}

/// One run of the minute sweep; its `redriven` counts.
async fn sweep(s: &Private) -> Value {
    canopy_local::event_functions::invoke("RemindersFunction", &s.h.app, json!({}))
        .await
        .expect("a known function")
        .expect("the sweep ran")["redriven"]
        .clone()
}

fn counts(sent: usize, failed: usize, retrying: usize) -> Value {
    json!({"sent": sent, "failed": failed, "retrying": retrying})
}

/// The message's delivery (status, reason) and whether it is in the re-drive index.
async fn state(s: &Private, c: &str, m: &str) -> (String, Option<String>, bool) {
    let stored = item(&s.h, format!("CONV#{c}"), &format!("M#{m}"))
        .await
        .expect("message");
    let d = stored["delivery"].as_m().expect("delivery");
    let text = |k: &str| d.get(k).and_then(|v| v.as_s().ok()).cloned();
    let indexed = get_s(&stored, "gsi3pk") == Some(keys::SENDS_DUE_PK);
    (text("status").unwrap(), text("reason"), indexed)
}

fn texts_to(phone: &str, text: &str) -> usize {
    sms_records(phone).iter().filter(|(_, t)| t == text).count()
}

#[tokio::test]
async fn a_message_the_stream_gave_up_on_is_sent_once_by_the_sweep_when_its_time_comes() {
    let (mut s, clock, p, patient, c) = scene("Linden Clinic").await;
    let text = "Your referral letter is ready.";
    s.provider_down_for(text);
    let m = post(&s, &p, &c, text).await;
    s.drain().await;
    assert_eq!(
        state(&s, &c, &m).await,
        ("queued".into(), None, true),
        "every stream retry failed: still queued, waiting in the index"
    );
    assert_eq!(sweep(&s).await, counts(0, 0, 0), "not due yet");

    s.provider_back_for(text);
    clock.advance_ms(REDRIVE_AFTER_MS);
    let (first, second) = tokio::join!(sweep(&s), sweep(&s));
    assert_eq!(
        [first, second]
            .iter()
            .map(|r| r["sent"].as_u64().unwrap())
            .sum::<u64>(),
        1,
        "two overlapping sweeps: one lease, one send"
    );
    assert_eq!(texts_to(&patient, text), 1);
    assert_eq!(state(&s, &c, &m).await, ("sent".into(), None, false));

    clock.advance_ms(LEASE_MS + REDRIVE_AFTER_MS);
    assert_eq!(sweep(&s).await, counts(0, 0, 0));
    assert_eq!(texts_to(&patient, text), 1, "never again");
}

#[tokio::test]
async fn a_sweep_during_an_outage_keeps_the_message_and_the_next_one_after_the_lease_sends_it() {
    let (mut s, clock, p, patient, c) = scene("Alder Clinic").await;
    let text = "Please bring your insurance card.";
    s.provider_down_for(text);
    let m = post(&s, &p, &c, text).await;
    s.drain().await;
    clock.advance_ms(REDRIVE_AFTER_MS);
    assert_eq!(sweep(&s).await, counts(0, 0, 1), "still down: kept");
    assert_eq!(
        sweep(&s).await,
        counts(0, 0, 0),
        "leased: not tried again at once"
    );
    assert_eq!(state(&s, &c, &m).await, ("queued".into(), None, true));

    s.provider_back_for(text);
    clock.advance_ms(LEASE_MS);
    assert_eq!(sweep(&s).await, counts(1, 0, 0));
    assert_eq!(texts_to(&patient, text), 1);
    assert_eq!(state(&s, &c, &m).await.0, "sent");
}

#[tokio::test]
async fn a_message_the_stream_sent_leaves_the_index_and_no_sweep_sends_it_again() {
    let (mut s, clock, p, patient, c) = scene("Birch Clinic").await;
    let text = "See you on Monday.";
    let m = post(&s, &p, &c, text).await;
    assert!(state(&s, &c, &m).await.2, "indexed while queued");
    s.drain().await;
    assert_eq!(state(&s, &c, &m).await, ("sent".into(), None, false));
    clock.advance_ms(REDRIVE_AFTER_MS + 1);
    assert_eq!(sweep(&s).await, counts(0, 0, 0));
    assert_eq!(texts_to(&patient, text), 1);
}

#[tokio::test]
async fn a_message_still_undeliverable_after_a_day_fails_as_expired_and_staff_see_why() {
    let (mut s, clock, p, patient, c) = scene("Rowan Clinic").await;
    let text = "Your results need a follow-up call.";
    s.provider_down_for(text);
    let m = post(&s, &p, &c, text).await;
    s.drain().await;
    clock.advance_ms(GIVE_UP_AFTER_MS);
    assert_eq!(sweep(&s).await, counts(0, 1, 0));
    assert_eq!(
        state(&s, &c, &m).await,
        ("failed".into(), Some("expired".into()), false)
    );
    s.provider_back_for(text);
    clock.advance_ms(LEASE_MS + REDRIVE_AFTER_MS);
    assert_eq!(sweep(&s).await, counts(0, 0, 0));
    assert_eq!(texts_to(&patient, text), 0, "never sent");
    // A day on, the staff member signs in again and sees why on the message.
    let mut staff = p.staff.clone();
    staff.token = s.h.sign_in_by_email(&staff.email).await;
    let shown = s.h.api(&staff).message(&c, &m).await;
    assert_eq!(shown.status, 200, "{}", shown.text);
    assert_eq!(shown.json()["delivery"]["status"], "failed");
    assert_eq!(shown.json()["delivery"]["reason"], "expired");
}
