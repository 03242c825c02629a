//! A measurement, not a check (ignored by default; timing is no test): the time from a
//! staff post to its SMS in moto through the dev server's stream emulation, p50 and p90
//! over 100 posts. Run it with
//! `scripts/test.sh -p canopy-tests -- --ignored post_to_sms_latency --nocapture`.

use super::{practice, sms_records, stand_in, Private};
use canopy_shared::adapters::dynamo::{get_s, keys};
use canopy_tests::fixtures::random_phone;
use serde_json::json;
use std::time::{Duration, Instant};

#[tokio::test]
#[ignore]
async fn post_to_sms_latency() {
    let Private { h, stream, .. } = Private::new().await;
    let p = practice(&h, "Nutmeg Clinic").await;
    let patient = random_phone();
    stand_in(
        &h,
        "/_local/sms/inbound",
        json!({"from": patient, "to": p.number.as_str(), "body": "hello"}),
    )
    .await;
    let thread = super::item(
        &h,
        keys::thread_pk(&p.org, "sms", &patient),
        keys::THREAD_SK,
    )
    .await
    .expect("thread");
    let c = get_s(&thread, "latest_conversation_id")
        .unwrap()
        .to_string();
    tokio::spawn(stream.run());
    let path = format!("/v1/conversations/{c}/messages");
    let mut took = Vec::new();
    for i in 0..100 {
        let text = format!("Latency probe {i:03}");
        let start = Instant::now();
        let r = h
            .call(
                "POST",
                &path,
                Some(json!({"text": text, "client_message_id": format!("lat-{i}")})),
                Some(&p.staff.token),
            )
            .await;
        assert_eq!(r.status, 201, "{}", r.text);
        while !sms_records(&patient).iter().any(|(_, m)| m == &text) {
            assert!(
                start.elapsed() < Duration::from_secs(10),
                "no SMS for post {i}"
            );
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        took.push(start.elapsed());
    }
    took.sort();
    println!(
        "post → SMS in moto over {} posts: p50 {:?}, p90 {:?}, max {:?}",
        took.len(),
        took[took.len() / 2],
        took[took.len() * 9 / 10],
        took[took.len() - 1]
    );
}
