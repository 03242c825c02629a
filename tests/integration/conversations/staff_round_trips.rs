//! Issue 13.1 for staff: once a process has resolved a staff token (one BatchGetItem of
//! session, membership and practice item), that token's post, inbox page, messages page
//! and read receipt are each ONE sequential DynamoDB round trip, authorization included:
//! the route's own transaction checks the session, the membership's role and the
//! practice's access version (`access::proof`). The calls are printed as the figures.

use canopy_shared::ports::{Clock, ManualClock, SystemClock};
use canopy_tests::fixtures::conversations::STAFF_AUTHENTICATION;
use canopy_tests::Harness;
use serde_json::json;
use std::sync::Arc;

/// The calls in name order (concurrent calls finish in any order), printed.
fn sorted(what: &str, ops: &[String]) -> Vec<String> {
    println!("{what}: {} calls: {ops:?}", ops.len());
    let mut sorted = ops.to_vec();
    sorted.sort();
    sorted
}

#[tokio::test]
async fn a_remembered_staff_caller_posts_pages_and_reads_in_one_round_trip() {
    let (h, owner) = Harness::with_practice("Quince Clinic").await;
    let nurse = h.new_teammate(&owner, "member").await;
    let patient = h.new_patient(&owner, "Sue Tam").await;
    let conv = h
        .new_conversation(&owner, &[&patient.contact_id], None)
        .await;
    let from_patient = h.post_id(&patient, &conv, "hello", "srt-p1").await;

    // The nurse's token was never resolved by this process: the first call reads first.
    let (page, ops) = h.counted(h.api(&nurse).inbox("")).await;
    assert_eq!(page.status, 200, "{}", page.text);
    let n = STAFF_AUTHENTICATION.len();
    assert_eq!(ops[..n], STAFF_AUTHENTICATION, "cold: read first: {ops:?}");
    assert_eq!(
        sorted("cold staff inbox", &ops[n..]),
        ["PutItem", "Query"],
        "then the page as a resolved caller: {ops:?}"
    );

    // From then on: one round trip each.
    let (posted, ops) = h
        .counted(h.api(&nurse).post_message(&conv, "hi", "srt-1"))
        .await;
    assert_eq!(posted.status, 201, "{}", posted.text);
    assert_eq!(sorted("staff post", &ops), ["TransactWriteItems"]);
    assert_eq!(posted.json()["direction"], json!("outbound"));

    let (page, ops) = h.counted(h.api(&nurse).inbox("")).await;
    assert_eq!(page.status, 200, "{}", page.text);
    assert!(page.items().iter().any(|c| c["id"] == json!(conv)));
    assert_eq!(
        sorted("staff inbox page", &ops),
        ["Query", "TransactWriteItems"],
        "the Query and the proving audit write, concurrent"
    );

    let (page, ops) = h.counted(h.api(&nurse).messages(&conv, "")).await;
    assert_eq!(page.status, 200, "{}", page.text);
    assert_eq!(page.items().len(), 2);
    assert_eq!(
        sorted("staff messages page", &ops),
        ["GetItem", "Query", "TransactWriteItems"],
        "the meta, the page and the proving audit write, concurrent"
    );

    // The patient answers; the nurse's receipt of it (the newest) is one transaction.
    let reply = h.post_id(&patient, &conv, "thanks", "srt-p2").await;
    let (read, ops) = h.counted(h.api(&nurse).read(&conv, &reply)).await;
    assert_eq!(read.status, 200, "{}", read.text);
    assert_eq!(read.json()["unread_count"], json!(0));
    assert_eq!(sorted("staff read receipt", &ops), ["TransactWriteItems"]);

    // A message behind the horizon: the proven transaction is refused by the
    // conversation, which is then read (with the message and the reader's own horizon
    // item, one BatchGetItem) to answer the horizon as it is.
    let (read, ops) = h.counted(h.api(&nurse).read(&conv, &from_patient)).await;
    assert_eq!(read.status, 200, "{}", read.text);
    assert_eq!(read.json()["last_read_message_id"], json!(reply));
    assert_eq!(ops, ["TransactWriteItems", "BatchGetItem"], "{ops:?}");
}

#[tokio::test]
async fn a_patients_post_is_one_round_trip_too() {
    let (h, owner, patient, conv) = Harness::with_chat("Quince Clinic", "Sue Tam").await;
    let (posted, ops) = h
        .counted(h.api(&patient).post_message(&conv, "hi", "srt-p"))
        .await;
    assert_eq!(posted.status, 201, "{}", posted.text);
    assert_eq!(sorted("patient post", &ops), ["TransactWriteItems"]);
    assert_eq!(posted.json()["direction"], json!("inbound"));
    let page = h.api(&owner).messages(&conv, "").await;
    assert_eq!(page.items()[0]["text"], json!("hi"));
}

#[tokio::test]
async fn the_hourly_record_of_a_staff_sessions_use_is_off_the_hot_path() {
    let clock = Arc::new(ManualClock::new(SystemClock.now_ms()));
    let h = Harness::with_clock(clock.clone()).await;
    let owner = h.new_practice("Quince Clinic").await;
    assert_eq!(h.api(&owner).inbox("").await.status, 200);
    let (page, ops) = h.counted(h.api(&owner).inbox("")).await;
    assert_eq!(page.status, 200, "{}", page.text);
    assert_eq!(
        sorted("warm staff inbox", &ops),
        ["Query", "TransactWriteItems"]
    );

    // Over an hour later the proof refuses (the use is due), the caller is read, the use
    // recorded and the page served, once; then the hot path again.
    clock.advance_ms(2 * 3600 * 1000);
    let (page, ops) = h.counted(h.api(&owner).inbox("")).await;
    assert_eq!(page.status, 200, "{}", page.text);
    println!("staff inbox with the hourly use due: {ops:?}");
    assert!(ops.contains(&"BatchGetItem".to_string()), "{ops:?}");
    assert!(ops.contains(&"UpdateItem".to_string()), "{ops:?}");
    let (page, ops) = h.counted(h.api(&owner).inbox("")).await;
    assert_eq!(page.status, 200, "{}", page.text);
    assert_eq!(sorted("then", &ops), ["Query", "TransactWriteItems"]);
}
