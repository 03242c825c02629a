//! DynamoDB calls per operation, counted by the client's interceptor (`h.app.db_calls`),
//! with the authorizer's own calls for the same token left out. The counter reports
//! operation names as "unknown" in this build, so the numbers are what is asserted.

use canopy_tests::Harness;
use serde_json::json;

/// The operations in name order (concurrent calls finish in any order).
fn by_name(ops: &[String]) -> Vec<String> {
    let mut sorted = ops.to_vec();
    sorted.sort();
    sorted
}

#[tokio::test]
async fn post_read_inbox_and_messages_page_make_the_documented_calls() {
    let (h, owner, patient, conv) = Harness::with_chat("Quince Clinic", "Sue Tam").await;

    let (posted, ops) = h
        .counted(h.api(&owner).post_message(&conv, "hi", "rt-1"))
        .await;
    assert_eq!(posted.status, 201);
    assert_eq!(ops, ["TransactWriteItems"], "post = 1 TransactWriteItems");
    let msg = posted.string("id");

    let (read, ops) = h.counted(h.api(&patient).read(&conv, &msg)).await;
    assert_eq!(read.status, 200);
    assert_eq!(ops, ["TransactWriteItems"], "read = 1 TransactWriteItems");

    let (inbox, ops) = h.counted(h.api(&owner).inbox("")).await;
    assert_eq!(inbox.status, 200);
    let sorted = by_name(&ops);
    assert_eq!(
        sorted,
        ["PutItem", "Query"],
        "staff inbox page = 1 Query + its concurrent audit write: {ops:?}"
    );

    h.settle().await;
    let (inbox, ops) = h.counted(h.api(&patient).inbox("")).await;
    assert_eq!(inbox.status, 200);
    assert!(
        inbox.items()[0]["last_message_at"].is_string(),
        "the row follows the meta"
    );
    let sorted = by_name(&ops);
    assert_eq!(
        sorted,
        ["PutItem", "Query"],
        "patient inbox = 1 Query of the rows, with the audit write concurrent: {ops:?}"
    );

    let (page, ops) = h.counted(h.api(&patient).messages(&conv, "")).await;
    assert_eq!(page.status, 200);
    let sorted = by_name(&ops);
    assert_eq!(
        sorted,
        ["GetItem", "PutItem", "Query"],
        "messages page = 1 Query, with the meta GetItem and the audit PutItem issued concurrently: {ops:?}"
    );

    // A retry of the post is answered from the idempotency record.
    let (again, ops) = h
        .counted(h.api(&owner).post_message(&conv, "hi", "rt-1"))
        .await;
    assert_eq!(again.json()["id"], json!(msg));
    assert_eq!(
        ops.len(),
        2,
        "a retried post = the cancelled transaction + the record: {ops:?}"
    );
}
