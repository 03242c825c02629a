//! STOP / START / HELP from a number: opt-out on every SMS conversation of the practice
//! with it, cleared by START; HELP gets one automatic reply naming the practice.

use super::{meta, practice, sms_records, stand_in};
use canopy_tests::fixtures::random_phone;
use canopy_tests::Harness;
use serde_json::json;

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
    let text = |body: &str| json!({"from": patient, "to": p.number.as_str(), "body": body});
    let opened = stand_in(&h, "/_local/sms/inbound", text("hello")).await;
    assert_eq!(opened.json()["result"]["results"], json!(["opened"]));
    let inbox = h
        .call(
            "GET",
            "/v1/conversations?limit=100",
            None,
            Some(&p.staff.token),
        )
        .await;
    let id = inbox.json()["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["preview"] == "hello")
        .and_then(|r| r["id"].as_str().map(str::to_string))
        .expect("conversation");

    let stop = stand_in(&h, "/_local/sms/inbound", text(" Stop ")).await;
    assert_eq!(stop.json()["result"]["results"], json!(["opted_out"]));
    assert!(opted_out(&meta(&h, &id).await));
    let message_count = |m: &canopy_shared::adapters::dynamo::Item| {
        canopy_shared::adapters::dynamo::get_n(m, "message_count")
    };
    assert_eq!(
        message_count(&meta(&h, &id).await),
        Some(1),
        "a keyword is not a message"
    );

    let start = stand_in(&h, "/_local/sms/inbound", text("START")).await;
    assert_eq!(start.json()["result"]["results"], json!(["opted_in"]));
    assert!(!opted_out(&meta(&h, &id).await));
}

#[tokio::test]
async fn stop_from_a_number_with_no_conversation_is_remembered_for_the_next_one() {
    let h = Harness::new().await;
    let p = practice(&h, "Fir Clinic").await;
    let patient = random_phone();
    let text = |body: &str| json!({"from": patient, "to": p.number.as_str(), "body": body});
    let stop = stand_in(&h, "/_local/sms/inbound", text("UNSUBSCRIBE")).await;
    assert_eq!(stop.json()["result"]["results"], json!(["opted_out"]));
    let opened = stand_in(&h, "/_local/sms/inbound", text("wait, one question")).await;
    assert_eq!(opened.json()["result"]["results"], json!(["opened"]));
    let inbox = h
        .call(
            "GET",
            "/v1/conversations?limit=100",
            None,
            Some(&p.staff.token),
        )
        .await;
    let id = inbox.json()["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["preview"] == "wait, one question")
        .and_then(|r| r["id"].as_str().map(str::to_string))
        .expect("conversation");
    assert!(opted_out(&meta(&h, &id).await), "the opt-out carries over");
}

#[tokio::test]
async fn help_gets_exactly_one_reply_naming_the_practice() {
    let h = Harness::new().await;
    let p = practice(&h, "Ginkgo Clinic").await;
    let patient = random_phone();
    let help = stand_in(
        &h,
        "/_local/sms/inbound",
        json!({"from": patient, "to": p.number.as_str(), "body": "help"}),
    )
    .await;
    assert_eq!(help.json()["result"]["results"], json!(["help_answered"]));
    let sent = sms_records(&patient);
    assert_eq!(sent.len(), 1, "{sent:?}");
    assert!(sent[0].1.starts_with("Ginkgo Clinic"));
    assert!(sent[0].1.contains("STOP"));
}
