//! STOP / START / HELP from a number: opt-out on every SMS conversation of the practice
//! with it, cleared by START; HELP gets one automatic reply naming the practice.

use super::{conversation_with_preview, meta, practice, sms_records, text_in};
use canopy_tests::fixtures::random_phone;
use canopy_tests::Harness;

fn opted_out(item: &canopy_shared::adapters::dynamo::Item) -> bool {
    item.get("opted_out")
        .and_then(|v| v.as_bool().ok())
        .copied()
        .unwrap_or(false)
}

#[tokio::test]
async fn stop_opts_the_number_out_and_start_clears_it() {
    let h = Harness::new().await;
    let p = practice(&h, "Elm Clinic").await;
    let patient = random_phone();
    assert_eq!(text_in(&h, &p, &patient, "hello").await, "opened");
    let id = conversation_with_preview(&h, &p, "hello").await;

    assert_eq!(text_in(&h, &p, &patient, " Stop ").await, "opted_out");
    assert!(opted_out(&meta(&h, &id).await));
    let message_count = |m: &canopy_shared::adapters::dynamo::Item| {
        canopy_shared::adapters::dynamo::get_n(m, "message_count")
    };
    assert_eq!(
        message_count(&meta(&h, &id).await),
        Some(1),
        "a keyword is not a message"
    );

    assert_eq!(text_in(&h, &p, &patient, "START").await, "opted_in");
    assert!(!opted_out(&meta(&h, &id).await));
}

#[tokio::test]
async fn stop_from_a_number_with_no_conversation_is_remembered_for_the_next_one() {
    let h = Harness::new().await;
    let p = practice(&h, "Fir Clinic").await;
    let patient = random_phone();
    assert_eq!(text_in(&h, &p, &patient, "UNSUBSCRIBE").await, "opted_out");
    let opened = text_in(&h, &p, &patient, "wait, one question").await;
    assert_eq!(opened, "opened");
    let id = conversation_with_preview(&h, &p, "wait, one question").await;
    assert!(opted_out(&meta(&h, &id).await), "the opt-out carries over");
}

#[tokio::test]
async fn help_gets_exactly_one_reply_naming_the_practice() {
    let h = Harness::new().await;
    let p = practice(&h, "Ginkgo Clinic").await;
    let patient = random_phone();
    assert_eq!(text_in(&h, &p, &patient, "help").await, "help_answered");
    let sent = sms_records(&patient);
    assert_eq!(sent.len(), 1, "{sent:?}");
    assert!(sent[0].1.starts_with("Ginkgo Clinic"));
    assert!(sent[0].1.contains("STOP"));
}
