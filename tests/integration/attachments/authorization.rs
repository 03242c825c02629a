//! Who may upload and download: exactly those who may read the conversation's messages.
//! Another practice's staff, another patient of the same practice, staff outside the
//! conversation's link and a teammate taken off that link get 404 (as if nothing existed);
//! a teammate removed from the practice is refused by the authorizer (401), at once.

use super::support::{fetch, reserve, status, upload, JPEG};
use canopy_tests::Harness;
use serde_json::json;

#[tokio::test]
async fn nobody_outside_the_conversation_reserves_or_downloads() {
    let h = Harness::new().await;
    let owner = h.new_practice("Linden Clinic").await;
    let inside = h.new_teammate(&owner, "member").await;
    let outside = h.new_teammate(&owner, "member").await;
    let unlinked = h.new_teammate(&owner, "member").await;
    let removed = h.new_teammate(&owner, "member").await;
    let members = [
        owner.account_id.as_str(),
        inside.account_id.as_str(),
        unlinked.account_id.as_str(),
        removed.account_id.as_str(),
    ];
    let link = h.new_routed_link(&owner, &members, &[]).await;
    let patient = h.new_patient(&owner, "Gil Shaw").await;
    let other_patient = h.new_patient(&owner, "Hal Price").await;
    let stranger = h.new_practice("Spruce Clinic").await;
    let conv = h
        .new_conversation(&inside, &[&patient.contact_id], Some(&link))
        .await;
    let photo = upload(&h, &patient.token, &conv, "rash.jpg", "image/jpeg", JPEG).await;

    // Everyone on the link could read it; then one is taken off the link and one leaves.
    for who in [&inside, &unlinked, &removed] {
        let view = status(&h, &who.token, &conv, &photo).await;
        assert_eq!(view.status, 200, "{}", view.text);
        assert_eq!(
            fetch(view.json()["download"]["url"].as_str().unwrap()).1,
            JPEG
        );
    }
    let relinked = h
        .call(
            "PATCH",
            &format!("/v1/links/{link}"),
            Some(json!({"member_ids": [owner.account_id, inside.account_id, removed.account_id]})),
            Some(&owner.token),
        )
        .await;
    assert_eq!(relinked.status, 200, "{}", relinked.text);
    let gone = h
        .call(
            "DELETE",
            &format!("/v1/members/{}", removed.account_id),
            None,
            Some(&owner.token),
        )
        .await;
    assert_eq!(gone.status, 204);

    let callers = [
        ("other practice's staff", Some(stranger.token.as_str()), 404),
        ("another patient", Some(other_patient.token.as_str()), 404),
        ("staff outside the link", Some(outside.token.as_str()), 404),
        (
            "teammate taken off the link",
            Some(unlinked.token.as_str()),
            404,
        ),
        (
            "teammate removed from the practice",
            Some(removed.token.as_str()),
            401,
        ),
        ("anonymous", None, 401),
    ];
    for (who, token, want) in callers {
        let reply = h
            .call(
                "GET",
                &format!("/v1/conversations/{conv}/attachments/{photo}"),
                None,
                token,
            )
            .await;
        assert_eq!(reply.status, want, "{who} downloads: {}", reply.text);
        assert!(!reply.text.contains("rash"), "{who} learns the file name");
        assert!(!reply.text.contains("X-Amz"), "{who} gets a URL");
        if let Some(token) = token {
            let reply = reserve(&h, token, &conv, "x.jpg", "image/jpeg", 10).await;
            assert_eq!(reply.status, want, "{who} uploads: {}", reply.text);
        }
    }
    // Those still allowed still are.
    for token in [&owner.token, &inside.token, &patient.token] {
        assert_eq!(
            status(&h, token, &conv, &photo).await.json()["status"],
            "ready"
        );
    }
}

/// A patient taken out of a group (the roster written as a removal leaves it: no route
/// removes a participant yet, so the test writes the item) loses the attachments at once,
/// exactly as the messages: 404, the same answer as for anyone who never was in it. The
/// staff case (taken off the link) is in the test above; a teammate removed from the
/// practice has no session left (API.md: their sessions end at once), hence 401 there.
#[tokio::test]
async fn a_patient_taken_out_of_a_group_gets_404_for_its_files_as_for_its_messages() {
    let h = Harness::new().await;
    let owner = h.new_practice("Hazel Clinic").await;
    let stays = h.new_patient(&owner, "Ada Stays").await;
    let leaves = h.new_patient(&owner, "Bo Leaves").await;
    let conv = h
        .new_conversation(&owner, &[&stays.contact_id, &leaves.contact_id], None)
        .await;
    let photo = upload(&h, &stays.token, &conv, "rash.jpg", "image/jpeg", JPEG).await;
    let messages = format!("/v1/conversations/{conv}/messages");
    let file = format!("/v1/conversations/{conv}/attachments/{photo}");
    let before = h.call("GET", &file, None, Some(&leaves.token)).await;
    assert_eq!(before.status, 200, "{}", before.text);
    assert_eq!(
        h.call("GET", &messages, None, Some(&leaves.token))
            .await
            .status,
        200
    );

    let mut item = h.stored_conversation(&conv).await;
    let gone: canopy_shared::domain::ids::AccountId = leaves.account_id.parse().unwrap();
    item.participants.retain(|p| p.id != gone);
    item.participant_ids.retain(|id| *id != gone);
    h.put_items(&[serde_dynamo::to_item(&item).unwrap()]).await;

    let for_messages = h.call("GET", &messages, None, Some(&leaves.token)).await;
    let for_file = h.call("GET", &file, None, Some(&leaves.token)).await;
    assert_eq!(for_messages.status, 404, "{}", for_messages.text);
    assert_eq!(for_file.status, 404, "{}", for_file.text);
    assert_eq!(
        for_file.json(),
        for_messages.json(),
        "the same answer as for a conversation that does not exist"
    );
    assert!(!for_file.text.contains("rash") && !for_file.text.contains("X-Amz"));
    let upload_again = reserve(&h, &leaves.token, &conv, "x.jpg", "image/jpeg", 10).await;
    assert_eq!(upload_again.status, 404, "{}", upload_again.text);
    // The one who stays still downloads it.
    let view = status(&h, &stays.token, &conv, &photo).await;
    assert_eq!(view.json()["status"], "ready", "{}", view.text);
}
