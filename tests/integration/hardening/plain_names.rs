//! Row 64: names that travel in texts and emails (the practice's, the owner's and a
//! teammate's name, a link's label) must be plain: a URL, an email address or a phone
//! number in one would turn Canopy's own messages into a phishing channel. Each route that
//! takes such a name refuses them with 400 `invalid_field` naming the field, and nothing is
//! created, changed or sent.

use canopy_tests::fixtures::random_email;
use canopy_tests::{moto, Harness, Reply};
use serde_json::json;

/// What a phisher would put in a name, each with some ordinary words around it.
const NOT_PLAIN: [&str; 5] = [
    "Visit www.refund-desk.example",
    "https://clinic.example/pay",
    "Write to billing@refund-desk.example",
    "Call 202-555-0143 now",
    "Text +1 (202) 555-0143",
];

/// A 400 `invalid_field` whose message names `field`.
fn assert_refused(reply: &Reply, field: &str, what: &str) {
    assert_eq!(reply.status, 400, "{what}: {}", reply.text);
    assert_eq!(
        reply.error_code(),
        "invalid_field",
        "{what}: {}",
        reply.text
    );
    assert!(
        reply.error_message().contains(field),
        "{what}: {}",
        reply.text
    );
}

#[tokio::test]
async fn a_practice_signup_refuses_urls_emails_and_numbers_in_either_name_and_sends_nothing() {
    let h = Harness::new().await;
    let email = random_email("owner");
    for bad in NOT_PLAIN {
        let refused = h.public().create_org(bad, "Dana Reyes", &email).await;
        assert_refused(&refused, "practice_name", bad);
        let refused = h.public().create_org("Elm Clinic", bad, &email).await;
        assert_refused(&refused, "owner_name", bad);
    }
    assert!(moto::emails_to(&email).is_empty(), "no code was sent");
    // The same address with plain names goes through at once: nothing was spent or held.
    let started = h
        .public()
        .create_org("Elm Clinic", "Dana Reyes", &email)
        .await;
    assert_eq!(started.status, 202, "{}", started.text);
    assert_eq!(moto::emails_to(&email).len(), 1);
}

#[tokio::test]
async fn a_teammate_name_must_be_plain_and_nobody_is_added_or_invited() {
    let h = Harness::new().await;
    let owner = h.new_practice("Plain Team Clinic").await;
    let before = h.api(&owner).members().await;
    assert_eq!(before.status, 200, "{}", before.text);
    let email = random_email("teammate");
    for bad in NOT_PLAIN {
        let refused = h.api(&owner).add_member(bad, &email, "member").await;
        assert_refused(&refused, "name", bad);
    }
    assert_eq!(h.api(&owner).members().await.json(), before.json());
    assert!(moto::emails_to(&email).is_empty(), "no invitation was sent");
}

#[tokio::test]
async fn a_link_label_must_be_plain_on_create_and_on_change() {
    let h = Harness::new().await;
    let owner = h.new_practice("Plain Label Clinic").await;
    let link = h.new_link(&owner, &[]).await;
    let before = h.api(&owner).links().await;
    assert_eq!(before.status, 200, "{}", before.text);
    for bad in NOT_PLAIN {
        let refused = h
            .api(&owner)
            .create_link(json!({"label": bad, "tags": []}))
            .await;
        assert_refused(&refused, "label", bad);
        let refused = h
            .api(&owner)
            .patch_link(&link.id.to_string(), json!({ "label": bad }))
            .await;
        assert_refused(&refused, "label", bad);
    }
    // No link was made and the existing one kept its label (and its public page shows it).
    assert_eq!(h.api(&owner).links().await.json(), before.json());
    let public = h.public().public_link(&link.code).await;
    assert_eq!(public.json()["label"], "Front desk", "{}", public.text);
}
