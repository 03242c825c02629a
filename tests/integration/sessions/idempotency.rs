//! An `Idempotency-Key` claim left behind by a crash (issue 12.8): the claim is in progress
//! only until the claiming function would have been stopped (its deadline, else the
//! function timeout), then a retry takes it over instead of answering 409 for a day. A
//! claim whose request may still be running is still refused with 409.
//!
//! The crash is simulated by writing the claim through the store port, exactly as a request
//! that died between claiming and finishing leaves it; time moves with a manual clock.

use aws_sdk_dynamodb::types::AttributeValue;
use canopy_shared::access::idempotency::{request_hash, NewClaim, IN_PROGRESS_MS, LIFETIME_MS};
use canopy_shared::adapters::dynamo::keys;
use canopy_shared::domain::ids::AccountId;
use canopy_shared::ports::access::IdempotencyStore;
use canopy_shared::ports::{Clock, ManualClock, SystemClock};
use canopy_tests::fixtures::random_phone;
use canopy_tests::{Harness, Reply};
use serde_json::{json, Value};
use std::collections::HashMap;
use std::sync::Arc;

/// What `POST /v1/contacts` with this body claims under a key (the client sends
/// `body.to_string()`).
fn hash_of(body: &Value) -> String {
    request_hash("/v1/contacts", body.to_string().as_bytes())
}

/// Leaves a pending claim, as a request that died after claiming would.
async fn claim_left_behind(h: &Harness, who: &str, key: &str, body: &Value, until: i64) {
    let account: AccountId = who.parse().unwrap();
    let now = h.app.now_ms();
    let claim = NewClaim {
        request_hash: &hash_of(body),
        in_progress_until: until,
        expires_at: now + LIFETIME_MS,
        now,
    };
    let claimed = h.app.store.claim_key(&account, key, &claim).await.unwrap();
    assert!(claimed, "the key was free");
}

fn assert_created_then_replayed(first: &Reply, again: &Reply) {
    assert_eq!(first.status, 201, "{}", first.text);
    assert_eq!(again.status, 201, "{}", again.text);
    assert_eq!(again.header("idempotent-replayed").as_deref(), Some("true"));
    assert_eq!(again.json(), first.json(), "the retry answers the first");
}

#[tokio::test]
async fn a_claim_left_by_a_crash_is_taken_over_after_the_function_timeout() {
    let clock = Arc::new(ManualClock::new(SystemClock.now_ms()));
    let h = Harness::with_clock(clock.clone()).await;
    let owner = h.new_practice("Crash Clinic").await;
    let body = json!({"name": "Crash Patient", "phone": random_phone()});
    let key = "crash-1";
    // The request claimed the key at "now" and died: its claim runs until the timeout.
    let until = h.app.now_ms() + IN_PROGRESS_MS;
    claim_left_behind(&h, &owner.account_id, key, &body, until).await;

    // While the first request could still be running, a retry is refused.
    let early = h
        .api(&owner)
        .idempotency_key(key)
        .create_contact(body.clone())
        .await;
    assert_eq!(early.status, 409, "{}", early.text);
    assert_eq!(early.error_code(), "request_in_progress");
    assert!(early.header("retry-after").is_some());
    clock.advance_ms(IN_PROGRESS_MS - 1);
    let still = h
        .api(&owner)
        .idempotency_key(key)
        .create_contact(body.clone())
        .await;
    assert_eq!(still.status, 409, "up to the deadline: {}", still.text);

    // Past the function's timeout the claiming request is certainly gone: the retry runs.
    clock.advance_ms(2);
    let retried = h
        .api(&owner)
        .idempotency_key(key)
        .create_contact(body.clone())
        .await;
    let again = h
        .api(&owner)
        .idempotency_key(key)
        .create_contact(body.clone())
        .await;
    assert_created_then_replayed(&retried, &again);
    let listed = h.api(&owner).contacts("?q=crash").await;
    assert_eq!(listed.ids(), [retried.string("id")], "one contact");
}

#[tokio::test]
async fn a_stale_claim_written_through_the_store_is_retryable_and_a_live_one_is_not() {
    let (h, owner) = Harness::with_practice("Stale Claim Clinic").await;
    let now = h.app.now_ms();
    let stale = json!({"name": "Stale Patient", "phone": random_phone()});
    claim_left_behind(&h, &owner.account_id, "stale-1", &stale, now - 1).await;
    let retried = h
        .api(&owner)
        .idempotency_key("stale-1")
        .create_contact(stale.clone())
        .await;
    let again = h
        .api(&owner)
        .idempotency_key("stale-1")
        .create_contact(stale)
        .await;
    assert_created_then_replayed(&retried, &again);

    let live = json!({"name": "Live Patient", "phone": random_phone()});
    claim_left_behind(&h, &owner.account_id, "live-1", &live, now + 60_000).await;
    let refused = h
        .api(&owner)
        .idempotency_key("live-1")
        .create_contact(live)
        .await;
    assert_eq!(refused.status, 409, "{}", refused.text);
    assert_eq!(refused.error_code(), "request_in_progress");

    // A finished key is never taken over, however old its claim: the same answer, and
    // another body under it is still 422.
    let other = json!({"name": "Other Patient", "phone": random_phone()});
    let reused = h
        .api(&owner)
        .idempotency_key("stale-1")
        .create_contact(other)
        .await;
    assert_eq!(reused.status, 422, "{}", reused.text);
}

#[tokio::test]
async fn a_pending_claim_written_before_claims_expired_is_retryable() {
    let (h, owner) = Harness::with_practice("Legacy Claim Clinic").await;
    let body = json!({"name": "Legacy Patient", "phone": random_phone()});
    let account: AccountId = owner.account_id.parse().unwrap();
    // The record the old code left: pending, no in-progress deadline, a day's TTL.
    let s = |v: String| AttributeValue::S(v);
    let item: HashMap<String, AttributeValue> = [
        ("pk", s(keys::idempotency_key_pk(&account, "legacy-1"))),
        ("sk", s(keys::IDEMPOTENCY_KEY_SK.to_string())),
        ("state", s("pending".into())),
        ("request_hash", s(hash_of(&body))),
        (
            "ttl",
            AttributeValue::N(((h.app.now_ms() + LIFETIME_MS) / 1000).to_string()),
        ),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v))
    .collect();
    h.put_items(&[item]).await;
    let retried = h
        .api(&owner)
        .idempotency_key("legacy-1")
        .create_contact(body.clone())
        .await;
    let again = h
        .api(&owner)
        .idempotency_key("legacy-1")
        .create_contact(body)
        .await;
    assert_created_then_replayed(&retried, &again);
}
