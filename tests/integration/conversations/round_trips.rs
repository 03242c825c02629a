//! DynamoDB calls per operation, counted by the client's interceptor (`h.app.db_calls`),
//! authentication included: the one invocation resolves its caller first (staff: one
//! BatchGetItem of the session, membership and practice item, no Query), then runs the
//! route. A post, an inbox page, a messages page and a read receipt read nothing first
//! when the caller is a patient, or staff this process has resolved before (the owner
//! here, who set the chat up): their own write proves the caller (`http::deferred`).
//! Each route's calls are printed.

use canopy_tests::Harness;
use serde_json::json;

/// The route's own calls after its caller's `authentication` (asserted to come first), in
/// name order (concurrent calls finish in any order); prints the whole measure.
fn route_calls(route: &str, ops: &[String], authentication: &[&str]) -> Vec<String> {
    println!("{route}: {} calls: {ops:?}", ops.len());
    assert!(
        ops.len() >= authentication.len() && ops[..authentication.len()] == *authentication,
        "{route} authenticates first: {ops:?}"
    );
    let mut sorted = ops[authentication.len()..].to_vec();
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
    assert_eq!(
        ops,
        ["TransactWriteItems"],
        "post = 1 TransactWriteItems, which proves the remembered staff caller too"
    );
    let msg = posted.string("id");

    let (read, ops) = h.counted(h.api(&patient).read(&conv, &msg)).await;
    assert_eq!(read.status, 200);
    assert_eq!(
        ops,
        ["TransactWriteItems"],
        "read = 1 TransactWriteItems, which proves the patient's session too"
    );

    let (inbox, ops) = h.counted(h.api(&owner).inbox("")).await;
    assert_eq!(inbox.status, 200);
    let sorted = route_calls("staff inbox", &ops, &[]);
    assert_eq!(
        sorted,
        ["Query", "TransactWriteItems"],
        "staff inbox page = 1 Query + its concurrent audit write (which proves the caller): {ops:?}"
    );

    h.settle().await;
    let (inbox, ops) = h.counted(h.api(&patient).inbox("")).await;
    assert_eq!(inbox.status, 200);
    assert!(
        inbox.items()[0]["last_message_at"].is_string(),
        "the row follows the meta"
    );
    let sorted = route_calls("patient inbox", &ops, &[]);
    assert_eq!(
        sorted,
        ["Query", "TransactWriteItems"],
        "patient inbox = 1 Query of the rows, with the audit write (which proves the session) concurrent: {ops:?}"
    );

    let (page, ops) = h.counted(h.api(&patient).messages(&conv, "")).await;
    assert_eq!(page.status, 200);
    let sorted = route_calls("messages page", &ops, &[]);
    assert_eq!(
        sorted,
        ["GetItem", "Query", "TransactWriteItems"],
        "messages page = 1 Query, with the meta GetItem and the audit write (which proves the session) issued concurrently: {ops:?}"
    );

    // A retry of the post is answered from the idempotency record.
    let (again, ops) = h
        .counted(h.api(&owner).post_message(&conv, "hi", "rt-1"))
        .await;
    assert_eq!(again.json()["id"], json!(msg));
    assert_eq!(
        route_calls("retried post", &ops, &[]),
        ["GetItem", "TransactWriteItems"],
        "a retried post = the cancelled transaction + the record: {ops:?}"
    );
}
