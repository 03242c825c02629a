//! `GET /v1/sync`: a gap-free, ordered feed per account, written by the stream consumer,
//! that replays to the inbox's unread counts; cursors, retention, round trips.

use super::Notify;
use canopy_shared::ports::ManualClock;
use canopy_tests::fixtures::conversations::PATIENT_AUTHENTICATION;
use serde_json::{json, Value};
use std::collections::BTreeMap;
use std::sync::Arc;

/// Every item after `after`, following `next_cursor` while `has_more`.
async fn feed(n: &Notify, token: &str, mut after: u64) -> Vec<Value> {
    let mut items = Vec::new();
    loop {
        let reply =
            n.h.call(
                "GET",
                &format!("/v1/sync?after={after}&limit=100"),
                None,
                Some(token),
            )
            .await;
        assert_eq!(reply.status, 200, "{}", reply.text);
        let page = reply.json();
        items.extend(page["items"].as_array().unwrap().iter().cloned());
        after = page["next_cursor"].as_str().unwrap().parse().unwrap();
        if page["has_more"] != json!(true) {
            return items;
        }
    }
}

/// What a client computes from the feed: per conversation, the messages after the
/// caller's own read horizon.
fn replay_unread(items: &[Value], me: &str) -> BTreeMap<String, usize> {
    let mut messages: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let mut horizon: BTreeMap<String, String> = BTreeMap::new();
    for item in items {
        let conv = item["conversation_id"].as_str().unwrap().to_string();
        match item["type"].as_str().unwrap() {
            "message" => messages
                .entry(conv)
                .or_default()
                .push(item["message_id"].as_str().unwrap().to_string()),
            "read" if item["reader_id"] == me => {
                let through = item["message_id"].as_str().unwrap().to_string();
                let h = horizon.entry(conv).or_default();
                if through > *h {
                    *h = through;
                }
            }
            _ => {}
        }
    }
    messages
        .into_iter()
        .map(|(conv, ids)| {
            let seen = horizon.get(&conv).cloned().unwrap_or_default();
            let unread = ids.iter().filter(|id| **id > seen).count();
            (conv, unread)
        })
        .collect()
}

// 50 concurrent posts on a two-core machine queue behind DynamoDB Local's one SQLite
// thread for seconds: the local stack's longer SDK timeouts (`CANOPY_SDK_ATTEMPT_TIMEOUT_MS`,
// see `canopy_shared::app`) let the burst drain instead of collapsing into retried timeouts.
#[tokio::test]
async fn the_feed_is_gap_free_under_50_concurrent_posts_and_replays_to_the_inbox() {
    let mut n = Notify::new().await;
    let staff = n.h.new_practice("Pine Clinic").await;
    let patient = n.h.new_patient(&staff, "Kim Ode").await;
    let mut convs = Vec::new();
    for _ in 0..3 {
        convs.push(
            n.h.new_conversation(&staff, &[&patient.contact_id], None)
                .await,
        );
    }
    let posts = (0..50).map(|i| {
        let token = if i % 5 == 0 {
            &patient.token
        } else {
            &staff.token
        };
        let conv = &convs[i % 3];
        let h = &n.h;
        async move {
            // A client retries a 503 with the same client_message_id (idempotent).
            let mut reply = h
                .api(token)
                .post_message(conv, &format!("m{i}"), &format!("sync-{i}"))
                .await;
            for attempt in 1..=8u64 {
                if reply.status != 503 {
                    break;
                }
                // As a client would: back off before retrying (the machine may be busy).
                tokio::time::sleep(std::time::Duration::from_millis(100 * attempt)).await;
                reply = h
                    .api(token)
                    .post_message(conv, &format!("m{i}"), &format!("sync-{i}"))
                    .await;
            }
            assert_eq!(reply.status, 201, "{}", reply.text);
            reply.json()["id"].as_str().unwrap().to_string()
        }
    });
    let ids = futures::future::join_all(posts).await;
    n.read(&patient.token, &convs[1], &ids[1]).await; // a horizon somewhere in conv 1
    n.drain().await;

    let items = feed(&n, &patient.token, 0).await;
    let seqs: Vec<u64> = items.iter().map(|i| i["seq"].as_u64().unwrap()).collect();
    assert_eq!(
        seqs,
        (1..=seqs.len() as u64).collect::<Vec<_>>(),
        "gap-free, in order"
    );
    let count = |t: &str| items.iter().filter(|i| i["type"] == t).count();
    assert_eq!(count("message"), 50);
    assert_eq!(count("conversation"), 3, "one per new conversation");
    assert!(count("read") >= 50, "every post moves its sender's horizon");
    for item in &items {
        assert!(item.get("text").is_none() && item["at"].is_string());
    }

    let replayed = replay_unread(&items, &patient.account_id);
    for conv in &convs {
        let row = n.h.inbox_row(&patient, conv).await.unwrap();
        assert_eq!(
            json!(replayed.get(conv).copied().unwrap_or(0)),
            row["unread_count"],
            "{conv}"
        );
    }

    // A second poller reads the whole stream again (every record redelivered): the feed
    // stays exactly as it was.
    let template = canopy_local::template::load_default().unwrap();
    let mut replay = canopy_local::stream::StreamEmulator::new(n.h.app.clone(), &template)
        .await
        .unwrap();
    while replay.poll_once().await.unwrap() > 0 {}
    assert_eq!(feed(&n, &patient.token, 0).await, items);
}

#[tokio::test]
async fn cursors_follow_on_and_old_or_unknown_ones_are_gone() {
    let clock = Arc::new(ManualClock::new(1_800_000_000_000));
    let mut n = Notify::with_clock(clock.clone()).await;
    let (staff, patient, conv) = n.practice_with_patient("Ash Clinic").await;
    n.post(&staff.token, &conv, "one").await;
    n.drain().await;
    let items = feed(&n, &patient.token, 0).await;
    let last = items.last().unwrap()["seq"].as_u64().unwrap();
    let caught_up =
        n.h.call(
            "GET",
            &format!("/v1/sync?after={last}"),
            None,
            Some(&patient.token),
        )
        .await;
    assert_eq!(caught_up.status, 200);
    assert_eq!(caught_up.json()["items"], json!([]));
    assert_eq!(caught_up.json()["next_cursor"], json!(last.to_string()));

    n.post(&staff.token, &conv, "two").await;
    n.drain().await;
    let newer = feed(&n, &patient.token, last).await;
    assert_eq!(newer[0]["seq"], json!(last + 1));
    assert_eq!(newer[0]["type"], "message");

    let unknown =
        n.h.call("GET", "/v1/sync?after=999", None, Some(&patient.token))
            .await;
    assert_eq!(
        (unknown.status, unknown.error_code()),
        (410, "cursor_expired".into())
    );
    let bad =
        n.h.call("GET", "/v1/sync?after=-1", None, Some(&patient.token))
            .await;
    assert_eq!(bad.status, 400);

    clock.advance_ms(31 * 24 * 3_600_000);
    // The session has ended by then too: sign in again.
    let token = n.h.sign_in_by_phone(&n.phone_of(&patient).await).await;
    let old =
        n.h.call("GET", &format!("/v1/sync?after={last}"), None, Some(&token))
            .await;
    assert_eq!(old.status, 410, "older than the 30-day window");
}

#[tokio::test]
async fn a_sync_page_is_one_query_and_the_post_is_still_one_write() {
    let mut n = Notify::new().await;
    let (staff, patient, conv) = n.practice_with_patient("Hazel Clinic").await;
    let (posted, ops) =
        n.h.counted(n.h.api(&staff).post_message(&conv, "hi", "rt"))
            .await;
    assert_eq!(posted.status, 201);
    assert_eq!(
        ops,
        ["TransactWriteItems"],
        "post = 1 TransactWriteItems, which proves the (remembered) staff caller too"
    );
    n.drain().await;
    let sync =
        n.h.call("GET", "/v1/sync?after=0", None, Some(&patient.token));
    let (page, ops) = n.h.counted(sync).await;
    assert_eq!(page.status, 200);
    assert_eq!(
        page.json()["items"].as_array().unwrap().len(),
        3,
        "{}",
        page.text
    );
    assert_eq!(
        ops[..1],
        PATIENT_AUTHENTICATION,
        "authentication first: {ops:?}"
    );
    let mut sorted = ops[1..].to_vec();
    sorted.sort();
    assert_eq!(
        sorted,
        ["PutItem", "Query"],
        "the session, then 1 Query + its concurrent audit write"
    );
}
