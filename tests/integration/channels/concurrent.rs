//! Issue 10's done-when, through the API: 50 concurrent staff posts to one SMS conversation
//! → 50 SMS, none twice, each message `sent`, even when the stream consumer is made to fail
//! (and so retry) half the batch.
//!
//! The posts behave as a real client: a 503 (the post's transaction lost a conflict on the
//! conversation item; the lead investigates those separately) is retried after the
//! `Retry-After` the answer gives, plus jitter, with the same `client_message_id`, so a
//! retry is idempotent. The test prints how many 503s it saw.

use super::{practice, sms_records, text_in, Private};
use canopy_tests::fixtures::random_phone;
use canopy_tests::Harness;
use std::time::{Duration, Instant};

/// Most retries of one post before the test gives up on it.
const MAX_RETRIES: u32 = 8;

/// Posts `text` as a client would: a 503 is retried after `Retry-After` (+ jitter) with
/// the same client id. Answers the message id and how many 503s it took.
async fn post_as_a_client(
    h: &Harness,
    token: &str,
    conversation: &str,
    text: &str,
    client_id: &str,
) -> (String, u32) {
    let mut unavailable = 0;
    loop {
        let reply = h
            .api(token)
            .post_message(conversation, text, client_id)
            .await;
        if reply.status != 503 || unavailable == MAX_RETRIES {
            assert_eq!(
                reply.status, 201,
                "after {unavailable} 503s: {}",
                reply.text
            );
            return (reply.string("id"), unavailable);
        }
        unavailable += 1;
        let wait_secs = reply
            .header("retry-after")
            .and_then(|s| s.parse::<u64>().ok())
            .unwrap_or(1);
        let jitter = (ulid::Ulid::new().random() % 500) as u64;
        tokio::time::sleep(Duration::from_millis(wait_secs * 1000 + jitter)).await;
    }
}

#[tokio::test]
async fn fifty_concurrent_posts_send_fifty_sms_once_each_even_when_half_fail_and_are_retried() {
    let mut s = Private::new().await;
    let p = practice(&s.h, "Juniper Clinic").await;
    let patient = random_phone();
    assert_eq!(text_in(&s.h, &p, &patient, "hi").await, "opened");
    let conversation = super::conversation_with_preview(&s.h, &p, "hi").await;
    let texts: Vec<String> = (0..50).map(|i| format!("Reminder {i:02}")).collect();
    for t in texts.iter().step_by(2) {
        s.fail_once(t);
    }

    let started = Instant::now();
    let posts = texts.iter().enumerate().map(|(i, text)| {
        let (h, token, c) = (&s.h, p.staff.token.as_str(), conversation.as_str());
        async move { post_as_a_client(h, token, c, text, &format!("reminder-{i:02}")).await }
    });
    let posted = futures::future::join_all(posts).await;
    let posting = started.elapsed();
    let retried: u32 = posted.iter().map(|(_, n)| n).sum();
    let mut ids: Vec<String> = posted.into_iter().map(|(id, _)| id).collect();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), 50, "one message per post, retries included");

    let invocations = s.stream.invocations;
    s.drain().await;
    println!(
        "50 concurrent posts: {posting:?}, {retried} answered 503 and were retried; \
         stream consumer invocations: {}",
        s.stream.invocations - invocations
    );

    let mut sent: Vec<String> = sms_records(&patient)
        .into_iter()
        .map(|(_, m)| m)
        .filter(|m| m.starts_with("Reminder "))
        .collect();
    sent.sort();
    assert_eq!(sent, texts, "every text once, none twice");
    assert!(
        s.stream.invocations > invocations + 1,
        "the failed half was retried"
    );
    let page =
        s.h.api(&p.staff)
            .messages(&conversation, "?limit=100")
            .await;
    assert_eq!(page.status, 200, "{}", page.text);
    let outbound: Vec<_> = page
        .items()
        .into_iter()
        .filter(|m| m["direction"] == "outbound")
        .collect();
    let mut listed: Vec<String> = outbound
        .iter()
        .filter_map(|m| m["id"].as_str().map(str::to_string))
        .collect();
    listed.sort();
    assert_eq!(listed, ids, "exactly the posted messages");
    for m in &outbound {
        assert_eq!(m["delivery"]["status"], "sent", "{m}");
    }
}
