//! Staff posting to a standard conversation through the API: 201 `outbound` with
//! `delivery.status: "queued"`, one round trip from the very first post (the id tells the
//! kind; no process has seen this conversation before; the staff member, resolved while
//! setting up, is proven in that same transaction), sent by the stream consumer, and
//! 409 `opted_out` after STOP.

use super::{practice, sms_records, stand_in, Private};
use canopy_shared::adapters::dynamo::{get_s, keys};
use canopy_tests::fixtures::random_phone;
use serde_json::json;

#[tokio::test]
async fn a_staff_post_is_queued_in_one_round_trip_sent_once_and_refused_after_stop() {
    let mut s = Private::new().await;
    let p = practice(&s.h, "Magnolia Clinic").await;
    let patient = random_phone();
    let opened = stand_in(
        &s.h,
        "/_local/sms/inbound",
        json!({"from": patient, "to": p.number.as_str(), "body": "Can I move my appointment?"}),
    )
    .await;
    assert_eq!(opened.json()["result"]["results"], json!(["opened"]));
    let thread = super::item(
        &s.h,
        keys::thread_pk(&p.org, "sms", &patient),
        keys::THREAD_SK,
    )
    .await
    .expect("thread");
    let c = get_s(&thread, "latest_conversation_id")
        .unwrap()
        .to_string();
    let path = format!("/v1/conversations/{c}/messages");
    let post = |text: &str, id: &str| json!({"text": text, "client_message_id": id});

    // A conversation no process has posted to yet: nothing cached anywhere.
    s.h.app.db_calls.reset();
    let first =
        s.h.call(
            "POST",
            &path,
            Some(post("Yes: Thursday 3pm?", "m-1")),
            Some(&p.staff.token),
        )
        .await;
    assert_eq!(first.status, 201, "{}", first.text);
    assert_eq!(
        s.h.app.db_calls.operations(),
        ["TransactWriteItems"],
        "the first post to a standard conversation is one round trip"
    );
    let body = first.json();
    assert_eq!(body["direction"], "outbound");
    assert_eq!(body["delivery"]["status"], "queued");
    assert!(body["delivery"]["updated_at"]
        .as_str()
        .is_some_and(|t| t.ends_with('Z')));

    s.h.app.db_calls.reset();
    let second =
        s.h.call(
            "POST",
            &path,
            Some(post("Or Friday 9am.", "m-2")),
            Some(&p.staff.token),
        )
        .await;
    assert_eq!(second.status, 201, "{}", second.text);
    assert_eq!(
        s.h.app.db_calls.operations(),
        ["TransactWriteItems"],
        "a post to a standard conversation is one round trip"
    );

    s.drain().await;
    let mut sent: Vec<String> = sms_records(&patient).into_iter().map(|(_, m)| m).collect();
    sent.sort();
    assert_eq!(sent, vec!["Or Friday 9am.", "Yes: Thursday 3pm?"]);
    for message in [&body, &second.json()] {
        let id = message["id"].as_str().unwrap();
        let stored = super::item(&s.h, format!("CONV#{c}"), &format!("M#{id}"))
            .await
            .expect("message");
        let status = stored["delivery"]
            .as_m()
            .ok()
            .and_then(|d| d.get("status"))
            .cloned();
        assert_eq!(
            status.and_then(|v| v.as_s().ok().cloned()).as_deref(),
            Some("sent")
        );
    }

    let stop = stand_in(
        &s.h,
        "/_local/sms/inbound",
        json!({"from": patient, "to": p.number.as_str(), "body": "STOP"}),
    )
    .await;
    assert_eq!(stop.json()["result"]["results"], json!(["opted_out"]));
    let refused =
        s.h.call(
            "POST",
            &path,
            Some(post("Hello?", "m-3")),
            Some(&p.staff.token),
        )
        .await;
    assert_eq!(refused.status, 409, "{}", refused.text);
    assert_eq!(refused.error_code(), "opted_out");
}
