//! Row 55: a transaction cancelled part-way leaves nothing half-written. A practice signup
//! whose owner email is already a staff login is cancelled at its login item, which comes
//! after the challenge's consume, the practice, the account and the membership in the same
//! transaction: all of them must be undone with it.

use aws_sdk_dynamodb::types::AttributeValue;
use canopy_shared::adapters::dynamo::Item;
use canopy_tests::{moto, Harness};

/// Every item of the table with an attribute `name` equal to `name` (a full scan: the
/// items a cancelled transaction might have left have ids nobody was told).
async fn items_named(h: &Harness, name: &str) -> Vec<Item> {
    let client = &h.db;
    let mut found = Vec::new();
    let mut start: Option<Item> = None;
    loop {
        let page = client
            .scan()
            .table_name(h.app.table())
            .filter_expression("#n = :n")
            .expression_attribute_names("#n", "name")
            .expression_attribute_values(":n", AttributeValue::S(name.to_string()))
            .set_exclusive_start_key(start.take())
            .consistent_read(true)
            .send()
            .await
            .expect("scan");
        found.extend(page.items.unwrap_or_default());
        match page.last_evaluated_key {
            Some(k) if !k.is_empty() => start = Some(k),
            _ => return found,
        }
    }
}

/// Letters only (a plain name may carry no long digit runs).
fn unique_word() -> String {
    ulid::Ulid::new()
        .to_string()
        .chars()
        .filter(char::is_ascii_alphabetic)
        .take(10)
        .collect::<String>()
        .to_lowercase()
}

#[tokio::test]
async fn a_signup_cancelled_at_its_login_item_leaves_no_item_behind() {
    let (h, existing) = Harness::with_practice("Practice Already Here").await;
    let word = unique_word();
    let (practice, owner) = (format!("Cancelled {word}"), format!("Owner {word}"));
    let started = h
        .public()
        .create_org(&practice, &owner, &existing.email)
        .await;
    assert_eq!(started.status, 202, "{}", started.text);
    let challenge = started.string("challenge_id");
    let code = moto::latest_email_code(&existing.email).expect("the code was emailed");
    let refused = h.public().auth_verify(&challenge, &code).await;
    assert_eq!(refused.status, 409, "{}", refused.text);
    assert_eq!(refused.error_code(), "email_taken");

    // No practice, account or membership with those names exists…
    assert!(
        items_named(&h, &practice).await.is_empty(),
        "a practice item was left"
    );
    assert!(
        items_named(&h, &owner).await.is_empty(),
        "an account or member item was left"
    );
    // …and the challenge's consume, the first write, was undone too.
    let stored = h.stored_challenge_item(&challenge).await;
    assert_eq!(stored.get("consumed"), Some(&AttributeValue::Bool(false)));
    // The same signup with a fresh email writes exactly those items (the scan sees them).
    let fresh = canopy_tests::fixtures::random_email("fresh");
    let (_, verified) = h.practice_signup(&practice, &owner, &fresh).await;
    assert_eq!(verified.status, 200, "{}", verified.text);
    assert_eq!(
        items_named(&h, &practice).await.len(),
        1,
        "the practice item"
    );
    assert_eq!(
        items_named(&h, &owner).await.len(),
        2,
        "the account and member items"
    );
    // The existing practice's owner still signs in as before.
    assert!(!h.sign_in_by_email(&existing.email).await.is_empty());
}
