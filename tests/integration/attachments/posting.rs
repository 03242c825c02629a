//! Attachments on messages: a post with `attachment_ids` carries them, the other side
//! downloads them, and the post is ONE DynamoDB round trip, its TransactWriteItems (the
//! metadata comes from the upload check's cards in S3, conditioned in the transaction)
//! after the caller's authentication; a post without attachments is one in all, its
//! transaction proving the caller (`http::deferred`). Every refusal has its code and leaves nothing
//! behind; a forged card cannot change what a message shows.

use super::support::{bucket, fetch, reserve, status, upload, JPEG, PDF, PNG};
use canopy_shared::adapters::dynamo::{key, keys};
use canopy_shared::attachments::card::{card_key, AttachmentCard};
use canopy_shared::ports::attachments::AttachmentFiles;
use canopy_tests::fixtures::conversations::{authenticated_calls, PATIENT_AUTHENTICATION};
use canopy_tests::Harness;
use serde_json::{json, Value};

fn post_body(text: &str, key: &str, ids: &[&str]) -> Value {
    json!({"text": text, "client_message_id": key, "attachment_ids": ids})
}

#[tokio::test]
async fn attached_files_reach_the_other_side_and_the_post_is_one_round_trip() {
    let h = Harness::new().await;
    let owner = h.new_practice("Poplar Clinic").await;
    let patient = h.new_patient(&owner, "Ina Vale").await;
    let conv = h
        .new_conversation(&owner, &[&patient.contact_id], None)
        .await;
    let photo = upload(&h, &patient.token, &conv, "rash.jpg", "image/jpeg", JPEG).await;
    let scan = upload(
        &h,
        &patient.token,
        &conv,
        "letter.pdf",
        "application/pdf",
        PDF,
    )
    .await;
    let path = format!("/v1/conversations/{conv}/messages");

    let (sent, ops) = h
        .counted(h.call(
            "POST",
            &path,
            Some(post_body("", "with-files", &[&photo, &scan])),
            Some(&patient.token),
        ))
        .await;
    assert_eq!(sent.status, 201, "{}", sent.text);
    assert_eq!(
        ops,
        authenticated_calls(&PATIENT_AUTHENTICATION, &["TransactWriteItems"]),
        "a post with attachments is one round trip after authentication"
    );
    let message = sent.json();
    assert_eq!(message["text"], "");
    assert_eq!(
        message["attachments"],
        json!([
            {"id": photo, "filename": "rash.jpg", "content_type": "image/jpeg", "size": JPEG.len()},
            {"id": scan, "filename": "letter.pdf", "content_type": "application/pdf", "size": PDF.len()},
        ])
    );
    let (plain, ops) = h
        .counted(h.call(
            "POST",
            &path,
            Some(json!({"text": "and a note", "client_message_id": "plain"})),
            Some(&patient.token),
        ))
        .await;
    assert_eq!(plain.status, 201, "{}", plain.text);
    assert_eq!(
        ops,
        ["TransactWriteItems"],
        "a post without attachments is one round trip, which proves the session too"
    );
    assert_eq!(plain.json()["attachments"], json!([]));

    // Stored: each item names the message and no longer expires; each object is tagged
    // attached, so the bucket's lifecycle rule leaves it alone.
    for id in [&photo, &scan] {
        let item =
            h.db.get_item()
                .table_name(h.app.table())
                .set_key(Some(key(
                    keys::conversation_pk(&conv.parse().unwrap()),
                    keys::attachment_sk(&id.parse().unwrap()),
                )))
                .consistent_read(true)
                .send()
                .await
                .unwrap()
                .item
                .unwrap();
        assert_eq!(
            item["message_id"].as_s().unwrap(),
            message["id"].as_str().unwrap()
        );
        assert!(!item.contains_key("ttl"));
        let tags = bucket()
            .await
            .tags(&format!("attachments/{conv}/{id}"))
            .await
            .unwrap();
        assert!(
            tags.contains(&("canopy-state".into(), "attached".into())),
            "{tags:?}"
        );
    }

    // The practice lists the messages, sees the files and downloads the same bytes.
    let page = h.call("GET", &path, None, Some(&owner.token)).await.json();
    let listed = page["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["id"] == message["id"])
        .cloned()
        .unwrap();
    assert_eq!(listed["attachments"], message["attachments"]);
    for (id, bytes) in [(&photo, JPEG), (&scan, PDF)] {
        let view = status(&h, &owner.token, &conv, id).await.json();
        assert_eq!(fetch(view["download"]["url"].as_str().unwrap()).1, bytes);
    }
    let row = h.inbox_row(&owner.token, &conv).await.unwrap();
    assert_eq!(row["preview"], "and a note");

    // A retry is the same message; another post cannot take the same files.
    let again = h
        .call(
            "POST",
            &path,
            Some(post_body("", "with-files", &[&photo, &scan])),
            Some(&patient.token),
        )
        .await;
    assert_eq!(again.status, 201, "{}", again.text);
    assert_eq!(again.json(), message);
    let other = h
        .call(
            "POST",
            &path,
            Some(post_body("again", "second", &[&photo])),
            Some(&patient.token),
        )
        .await;
    assert_eq!(
        (other.status, other.error_code().as_str()),
        (409, "attachment_unavailable"),
        "{}",
        other.text
    );
    let changed = h
        .call(
            "POST",
            &path,
            Some(post_body("", "with-files", &[&photo])),
            Some(&patient.token),
        )
        .await;
    assert_eq!(
        changed.status, 422,
        "same key, other attachments: {}",
        changed.text
    );
}

#[tokio::test]
async fn files_not_ready_not_the_senders_or_elsewhere_are_refused_and_nothing_is_posted() {
    let h = Harness::new().await;
    let owner = h.new_practice("Aspen Clinic").await;
    let patient = h.new_patient(&owner, "Jo Kerr").await;
    let conv = h
        .new_conversation(&owner, &[&patient.contact_id], None)
        .await;
    let elsewhere_conv = h
        .new_conversation(&owner, &[&patient.contact_id], None)
        .await;
    let t = &patient.token;
    let waiting = reserve(&h, t, &conv, "w.jpg", "image/jpeg", 10)
        .await
        .json()["id"]
        .as_str()
        .unwrap()
        .to_string();
    let rejected = upload(&h, t, &conv, "fake.pdf", "application/pdf", PNG).await;
    let staffs = upload(&h, &owner.token, &conv, "plan.pdf", "application/pdf", PDF).await;
    let elsewhere = upload(&h, t, &elsewhere_conv, "b.jpg", "image/jpeg", JPEG).await;
    let mine = upload(&h, t, &conv, "a.jpg", "image/jpeg", JPEG).await;
    let six: Vec<String> = (0..6)
        .map(|_| "att_01KEEEEEEEEEEEEEEEEEEEEEEE".to_string())
        .collect();
    let path = format!("/v1/conversations/{conv}/messages");
    let cases: Vec<(&str, Value, u16, &str)> = vec![
        (
            "uploading",
            post_body("x", "k1", &[&waiting]),
            409,
            "attachment_not_ready",
        ),
        (
            "rejected",
            post_body("x", "k2", &[&rejected]),
            409,
            "attachment_rejected",
        ),
        (
            "someone else's",
            post_body("x", "k3", &[&mine, &staffs]),
            404,
            "attachment_not_found",
        ),
        (
            "another conversation's",
            post_body("x", "k4", &[&elsewhere]),
            404,
            "attachment_not_found",
        ),
        (
            "unknown",
            post_body("x", "k5", &["att_01KEEEEEEEEEEEEEEEEEEEEEEE"]),
            404,
            "attachment_not_found",
        ),
        (
            "six",
            json!({"text": "x", "client_message_id": "k6", "attachment_ids": six}),
            400,
            "invalid_field",
        ),
        (
            "twice",
            post_body("x", "k7", &[&mine, &mine]),
            400,
            "invalid_field",
        ),
        (
            "not an id",
            post_body("x", "k8", &["msg_01KEEEEEEEEEEEEEEEEEEEEEEE"]),
            400,
            "invalid_field",
        ),
        (
            "no text, no files",
            post_body(" ", "k9", &[]),
            400,
            "invalid_field",
        ),
    ];
    for (what, body, want, code) in cases {
        let reply = h.call("POST", &path, Some(body), Some(t)).await;
        assert_eq!(
            (reply.status, reply.error_code().as_str()),
            (want, code),
            "{what}: {}",
            reply.text
        );
    }
    let page = h.call("GET", &path, None, Some(t)).await.json();
    assert_eq!(page["items"], json!([]), "nothing was posted");
    let view = status(&h, t, &conv, &mine).await.json();
    assert_eq!(view["status"], "ready", "still attachable: {view}");

    // A standard conversation takes no attachments.
    let standard = h
        .call(
            "POST",
            "/v1/conversations",
            Some(json!({"kind": "standard", "contact_id": patient.contact_id, "channel": "sms"})),
            Some(&owner.token),
        )
        .await
        .json()["id"]
        .as_str()
        .unwrap()
        .to_string();
    let reply = h
        .call(
            "POST",
            &format!("/v1/conversations/{standard}/messages"),
            Some(post_body("see attached", "std-1", &[&staffs])),
            Some(&owner.token),
        )
        .await;
    assert_eq!(
        (reply.status, reply.error_code().as_str()),
        (400, "attachments_not_supported"),
        "{}",
        reply.text
    );
}

/// The card of `attachment` in `conversation`, as stored in the bucket.
async fn stored_card(conversation: &str, attachment: &str) -> Option<AttachmentCard> {
    let (c, a) = (conversation.parse().unwrap(), attachment.parse().unwrap());
    let bytes = bucket().await.read_card(&card_key(&c, &a)).await.unwrap()?;
    AttachmentCard::parse(&bytes, &c, &a)
}

#[tokio::test]
async fn a_forged_card_cannot_change_what_a_message_shows_and_a_missing_one_costs_one_read() {
    let h = Harness::new().await;
    let owner = h.new_practice("Rowan Clinic").await;
    let patient = h.new_patient(&owner, "Lu Marsh").await;
    let conv = h
        .new_conversation(&owner, &[&patient.contact_id], None)
        .await;
    let t = &patient.token;
    let scan = upload(&h, t, &conv, "letter.pdf", "application/pdf", PDF).await;
    let path = format!("/v1/conversations/{conv}/messages");
    let card = stored_card(&conv, &scan)
        .await
        .expect("the check wrote its card");
    assert_eq!(card.attachment.filename.as_str(), "letter.pdf");
    assert_eq!(card.uploader.to_string(), patient.account_id);

    // Someone with write access to the bucket rewrites the card: another name and size.
    let key = card_key(&conv.parse().unwrap(), &scan.parse().unwrap());
    let mut forged = card.clone();
    forged.attachment.filename =
        canopy_shared::attachments::Filename::parse("other-name.pdf").unwrap();
    forged.attachment.size += 1;
    bucket()
        .await
        .write_card(&key, forged.to_bytes())
        .await
        .unwrap();
    let (refused, ops) = h
        .counted(h.call("POST", &path, Some(post_body("", "f1", &[&scan])), Some(t)))
        .await;
    assert_eq!(
        (refused.status, refused.error_code().as_str()),
        (409, "attachment_unavailable"),
        "{}",
        refused.text
    );
    assert_eq!(
        ops,
        authenticated_calls(&PATIENT_AUTHENTICATION, &["TransactWriteItems", "GetItem"]),
        "refused, then read to say why"
    );
    let page = h.call("GET", &path, None, Some(t)).await.json();
    assert_eq!(page["items"], json!([]), "nothing was posted");

    // Without a card (never written, or lost) the post reads the items once, and the
    // message shows the item's own metadata.
    bucket().await.delete(&key).await.unwrap();
    let (sent, ops) = h
        .counted(h.call("POST", &path, Some(post_body("", "f2", &[&scan])), Some(t)))
        .await;
    assert_eq!(sent.status, 201, "{}", sent.text);
    assert_eq!(
        ops,
        authenticated_calls(
            &PATIENT_AUTHENTICATION,
            &["BatchGetItem", "TransactWriteItems"]
        )
    );
    assert_eq!(
        sent.json()["attachments"],
        json!([{"id": scan, "filename": "letter.pdf", "content_type": "application/pdf", "size": PDF.len()}])
    );
}
