//! SECURITY.md: "A dependency failure (DynamoDB throttling, SNS/SES error) → bounded retries,
//! then 503 with `Retry-After`, and no partial state." DynamoDB Local never throttles, so
//! the app here talks to it through `adapters::throttle::Throttled` with a limit of zero
//! writes: every write is answered `400 ThrottlingException` exactly as DynamoDB's JSON
//! protocol does (reads pass). Each write route must then answer 503 with `Retry-After`
//! after the SDK's bounded attempts (3, `app::load_sdk_config`), leave nothing behind, and
//! work normally once the database accepts writes again, under the same Idempotency-Key.

use canopy_shared::adapters::throttle::{ItemLimiter, Throttled};
use canopy_shared::app::{https_client, load_sdk_config};
use canopy_shared::App;
use canopy_tests::fixtures::random_phone;
use canopy_tests::{Harness, Reply};
use serde_json::json;
use std::sync::Arc;
use std::time::Duration;

/// The SDK's attempts per call (`RetryConfig::standard().with_max_attempts(3)`).
const ATTEMPTS: u64 = 3;

/// The same table through a DynamoDB that throttles every write.
async fn refusing_writes() -> (Harness, Arc<ItemLimiter>) {
    let limiter = ItemLimiter::per_window(0, Duration::from_secs(3600));
    let sdk = load_sdk_config()
        .await
        .into_builder()
        .http_client(Throttled::client(https_client(), limiter.clone()))
        .build();
    let app = App::from_parts(&sdk, canopy_tests::settings().await);
    (Harness::with_app(app), limiter)
}

fn assert_unavailable(reply: &Reply, what: &str) {
    assert_eq!(reply.status, 503, "{what}: {}", reply.text);
    let retry_after: u64 = reply
        .header("retry-after")
        .and_then(|v| v.parse().ok())
        .unwrap_or_else(|| panic!("{what}: no Retry-After"));
    assert!(
        (1..=60).contains(&retry_after),
        "{what}: Retry-After {retry_after}"
    );
}

#[tokio::test]
async fn throttled_writes_answer_503_after_bounded_retries_and_leave_nothing_behind() {
    let (h, owner, patient, conversation) =
        Harness::with_chat("Throttled Clinic", "Tia Throttle").await;
    let (throttled, limiter) = refusing_writes().await;

    // A message post: one transaction, three attempts, then 503; no message stored.
    let post = throttled
        .api(&owner)
        .post_message(&conversation, "Lab results are in", "throttle-1")
        .await;
    assert_unavailable(&post, "post");
    assert_eq!(limiter.throttled(), ATTEMPTS, "the post's attempts");
    let page = h.api(&patient).messages(&conversation, "").await;
    assert_eq!(page.json()["items"], json!([]), "{}", page.text);

    // A contact under an Idempotency-Key: the claim itself is refused, so the key is not
    // held, and nothing is created.
    let contact = json!({"name": "Tom Throttle", "phone": random_phone()});
    let create = throttled
        .api(&owner)
        .idempotency_key("throttle-contact")
        .create_contact(contact.clone())
        .await;
    assert_unavailable(&create, "contact");
    assert_eq!(limiter.throttled(), 2 * ATTEMPTS, "the claim's attempts");
    let found = h.api(&owner).contacts("?q=tom").await;
    assert_eq!(found.ids(), Vec::<String>::new(), "{}", found.text);

    // A read receipt and a conversation change fail the same way.
    let message = h
        .post_id(&owner, &conversation, "After the outage", "throttle-2")
        .await;
    let read = throttled.api(&patient).read(&conversation, &message).await;
    assert_unavailable(&read, "read receipt");
    let patch = json!({"subject": "Throttled subject"});
    let patched = throttled
        .api(&owner)
        .patch_conversation(&conversation, patch)
        .await;
    assert_unavailable(&patched, "conversation change");
    assert_eq!(limiter.throttled(), 4 * ATTEMPTS);
    let unread = h.inbox_row(&patient, &conversation).await.unwrap();
    assert_eq!(
        unread["unread_count"], 1,
        "the receipt was not written: {unread}"
    );
    let details = h.api(&owner).conversation(&conversation).await;
    assert_eq!(details.json()["subject"], "Follow-up", "{}", details.text);

    // Once writes are accepted again, the same retries succeed, the key included.
    let retried = h
        .api(&owner)
        .idempotency_key("throttle-contact")
        .create_contact(contact)
        .await;
    assert_eq!(retried.status, 201, "{}", retried.text);
    let reposted = h
        .api(&owner)
        .post_message(&conversation, "Lab results are in", "throttle-1")
        .await;
    assert_eq!(reposted.status, 201, "{}", reposted.text);
}
