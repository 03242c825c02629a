//! Every creating `POST` honours `Idempotency-Key` (SECURITY.md: "every mutation is
//! idempotent for client retries: same key → same result; same key, other body → 422").
//! Contacts and invites are covered in `sessions::idempotency` and `patients::invites`;
//! these are the other creating routes: a conversation, a link, a teammate and an
//! attachment reservation. Each is sent twice under one key (as a client whose first answer
//! was lost would), then once under the same key with another body; the list afterwards
//! shows the object exactly once.
//!
//! `POST /v1/orgs` creates nothing (the practice is created by `POST /v1/auth/verify`, which
//! consumes its challenge once), and message posts use `client_message_id`.

use canopy_tests::api::Api;
use canopy_tests::fixtures::random_phone;
use canopy_tests::{Harness, Reply};
use serde_json::{json, Value};
use std::future::Future;

/// Sends `create(body)` twice under `key`, then `create(other)` under the same key, and
/// returns the first answer after asserting the retry replays it and the reuse is 422.
async fn created_once<'a, F, Fut>(
    api: Api<'a>,
    key: &'a str,
    body: Value,
    other: Value,
    create: F,
) -> Reply
where
    F: Fn(Api<'a>, Value) -> Fut,
    Fut: Future<Output = Reply>,
{
    let first = create(api.idempotency_key(key), body.clone()).await;
    assert_eq!(first.status, 201, "{}", first.text);
    assert!(first.header("idempotent-replayed").is_none());
    let again = create(api.idempotency_key(key), body).await;
    assert_eq!(again.status, 201, "{}", again.text);
    assert_eq!(again.header("idempotent-replayed").as_deref(), Some("true"));
    assert_eq!(again.json(), first.json(), "the retry answers the first");
    let reused = create(api.idempotency_key(key), other).await;
    assert_eq!(reused.status, 422, "same key, other body: {}", reused.text);
    first
}

#[tokio::test]
async fn a_retried_link_creation_makes_one_link() {
    let (h, owner) = Harness::with_practice("Idem Links Clinic").await;
    let before = h.api(&owner).links().await.ids().len();
    let link = created_once(
        h.api(&owner),
        "link-1",
        json!({"label": "Front desk"}),
        json!({"label": "Back desk"}),
        |api, body| async move { api.create_link(body).await },
    )
    .await;
    let links = h.api(&owner).links().await;
    assert_eq!(links.ids().len(), before + 1, "{}", links.text);
    assert!(links.ids().contains(&link.string("id")));
}

#[tokio::test]
async fn a_retried_teammate_invitation_adds_one_teammate() {
    let (h, owner) = Harness::with_practice("Idem Team Clinic").await;
    let email = format!(
        "nurse-{}@example.com",
        random_phone().trim_start_matches('+')
    );
    let member = created_once(
        h.api(&owner),
        "member-1",
        json!({"name": "Nora Nurse", "email": email, "role": "member"}),
        json!({"name": "Other Nurse", "email": "other@example.com", "role": "member"}),
        |api, body| async move { api.add_member_with(body).await },
    )
    .await;
    let members = h.api(&owner).members().await;
    let ids = members.ids();
    assert_eq!(
        ids.iter().filter(|id| **id == member.string("id")).count(),
        1
    );
    assert_eq!(ids.len(), 2, "the owner and one teammate: {}", members.text);
}

#[tokio::test]
async fn a_retried_conversation_creation_opens_one_conversation() {
    let (h, owner) = Harness::with_practice("Idem Conversations Clinic").await;
    let contact = h
        .api(&owner)
        .create_contact(json!({"name": "Idem Patient", "phone": random_phone()}))
        .await;
    assert_eq!(contact.status, 201, "{}", contact.text);
    let contact_id = contact.string("id");
    let conversation = created_once(
        h.api(&owner),
        "conversation-1",
        json!({"kind": "standard", "contact_id": contact_id, "channel": "sms"}),
        json!({"kind": "standard", "contact_id": contact_id, "channel": "email"}),
        |api, body| async move { api.create_conversation(body).await },
    )
    .await;
    let inbox = h.api(&owner).inbox("").await;
    assert_eq!(inbox.ids(), [conversation.string("id")], "{}", inbox.text);
}

#[tokio::test]
async fn a_retried_attachment_reservation_reserves_one_upload() {
    let (h, owner, patient, conversation) =
        Harness::with_chat("Idem Files Clinic", "Ida Moss").await;
    let photo = json!({"filename": "rash.jpg", "content_type": "image/jpeg", "size": 1200});
    let note = json!({"filename": "note.pdf", "content_type": "application/pdf", "size": 900});
    let reserved = created_once(
        h.api(&patient),
        "upload-1",
        photo.clone(),
        note,
        |api, body| {
            let conversation = conversation.clone();
            async move { api.reserve_attachment(&conversation, body).await }
        },
    )
    .await;
    // The same key from another caller is another request: keys are per caller.
    let staff = h
        .api(&owner)
        .idempotency_key("upload-1")
        .reserve_attachment(&conversation, photo)
        .await;
    assert_eq!(staff.status, 201, "{}", staff.text);
    assert!(staff.header("idempotent-replayed").is_none());
    assert_ne!(staff.string("id"), reserved.string("id"));
}

/// The routes without a key are idempotent by nature: a retried PATCH, read receipt or
/// removal answers as the first did, or (a removal) says the object is gone, and the state
/// is what one call made it.
#[tokio::test]
async fn a_retried_patch_receipt_or_removal_leaves_the_state_one_call_made() {
    let (h, owner, patient, conversation) =
        Harness::with_chat("Idem Nature Clinic", "Ines Moss").await;
    let subject = json!({"subject": "Lab results", "tags": ["labs"]});
    let patched = h
        .api(&owner)
        .patch_conversation(&conversation, subject.clone())
        .await;
    let again = h
        .api(&owner)
        .patch_conversation(&conversation, subject)
        .await;
    assert_eq!(patched.status, 200, "{}", patched.text);
    assert_eq!(again.status, 200, "{}", again.text);
    assert_eq!(again.json(), patched.json());

    let message = h
        .post_id(
            &owner,
            &conversation,
            "Your results are in",
            "idem-nature-1",
        )
        .await;
    let read = h.api(&patient).read(&conversation, &message).await;
    let reread = h.api(&patient).read(&conversation, &message).await;
    assert_eq!(read.status, 200, "{}", read.text);
    assert_eq!(reread.json(), read.json(), "{}", reread.text);
    assert_eq!(read.json()["unread_count"], 0);

    let email = format!(
        "temp-{}@example.com",
        random_phone().trim_start_matches('+')
    );
    let member = h
        .api(&owner)
        .add_member("Tem Porary", &email, "member")
        .await;
    let before = h.api(&owner).members().await.ids();
    let removed = h.api(&owner).remove_member(&member.string("id")).await;
    let removed_again = h.api(&owner).remove_member(&member.string("id")).await;
    assert_eq!(removed.status, 204, "{}", removed.text);
    assert_eq!(removed_again.status, 404, "{}", removed_again.text);
    let after = h.api(&owner).members().await.ids();
    assert_eq!(after.len(), before.len() - 1, "one teammate fewer, once");
}
