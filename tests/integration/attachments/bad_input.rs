//! Bad input and files that are not what they claim (API.md, "Attachments"; issue 15,
//! "Bad input"): each refused with its status and code, and nothing stored or readable.

use super::support::{bucket, put, reserve, status, upload, JPEG, PNG};
use canopy_shared::ports::attachments::AttachmentFiles;
use canopy_tests::Harness;
use serde_json::json;

const MIB: u64 = 1024 * 1024;

#[tokio::test]
async fn types_sizes_and_names_outside_the_contract_are_refused() {
    let h = Harness::new().await;
    let owner = h.new_practice("Cedar Clinic").await;
    let patient = h.new_patient(&owner, "Cy Holt").await;
    let conv = h
        .new_conversation(&owner, &[&patient.contact_id], None)
        .await;
    let t = &patient.token;
    let cases: Vec<(&str, &str, u64, u16, &str)> = vec![
        ("cat.gif", "image/gif", 100, 415, "unsupported_media_type"),
        ("page.html", "text/html", 100, 415, "unsupported_media_type"),
        (
            "scan.pdf",
            "application/pdf",
            25 * MIB + 1,
            413,
            "too_large",
        ),
        ("photo.png", "image/png", 25 * MIB + 1, 413, "too_large"),
        ("clip.mp4", "video/mp4", 200 * MIB + 1, 413, "too_large"),
        ("empty.jpg", "image/jpeg", 0, 400, "invalid_field"),
        ("", "image/jpeg", 100, 400, "invalid_field"),
        ("../../x.jpg", "image/jpeg", 100, 400, "invalid_field"),
    ];
    for (name, content_type, size, want, code) in cases {
        let reply = reserve(&h, t, &conv, name, content_type, size).await;
        assert_eq!(
            (reply.status, reply.error_code().as_str()),
            (want, code),
            "{name} {content_type} {size}: {}",
            reply.text
        );
    }
    // The largest allowed sizes pass.
    for (content_type, size) in [
        ("application/pdf", 25 * MIB),
        ("video/quicktime", 200 * MIB),
    ] {
        let reply = reserve(&h, t, &conv, "big", content_type, size).await;
        assert_eq!(reply.status, 201, "{content_type}: {}", reply.text);
    }
    let negative = h
        .call(
            "POST",
            &format!("/v1/conversations/{conv}/attachments"),
            Some(json!({"filename": "a.jpg", "content_type": "image/jpeg", "size": -1})),
            Some(t),
        )
        .await;
    assert_eq!(negative.status, 400, "{}", negative.text);
    assert!(negative.text.contains("size"), "{}", negative.text);
}

#[tokio::test]
async fn a_png_declared_as_a_pdf_and_a_short_file_are_rejected_and_deleted() {
    let h = Harness::new().await;
    let owner = h.new_practice("Alder Clinic").await;
    let patient = h.new_patient(&owner, "Di Park").await;
    let conv = h
        .new_conversation(&owner, &[&patient.contact_id], None)
        .await;
    let renamed = upload(
        &h,
        &patient.token,
        &conv,
        "scan.pdf",
        "application/pdf",
        PNG,
    )
    .await;
    let view = status(&h, &owner.token, &conv, &renamed).await.json();
    assert_eq!(view["status"], "rejected", "{view}");
    assert_eq!(view["reject_reason"], "type_mismatch");
    assert!(view.get("download").is_none());
    let key = format!("attachments/{conv}/{renamed}");
    assert_eq!(
        bucket().await.head(&key, 16).await.unwrap(),
        None,
        "deleted"
    );

    // Declared 200 bytes, sent fewer (moto does not enforce the signed length; S3 does).
    let reply = reserve(&h, &patient.token, &conv, "a.jpg", "image/jpeg", 200).await;
    assert_eq!(reply.status, 201);
    let short = reply.json()["id"].as_str().unwrap().to_string();
    assert_eq!(put(&reply.json()["upload"], JPEG).0, 200);
    super::support::deliver_notifications(&h).await;
    let view = status(&h, &patient.token, &conv, &short).await.json();
    assert_eq!(view["status"], "rejected");
    assert_eq!(view["reject_reason"], "size_mismatch");
}

#[tokio::test]
async fn missing_closed_and_standard_conversations_take_no_uploads() {
    let h = Harness::new().await;
    let owner = h.new_practice("Hazel Clinic").await;
    let patient = h.new_patient(&owner, "Eli Roe").await;
    let conv = h
        .new_conversation(&owner, &[&patient.contact_id], None)
        .await;
    let t = &owner.token;
    let unknown = "conv_01KCCCCCCCCCCCCCCCCCCCCCCC";
    let reply = reserve(&h, t, unknown, "a.jpg", "image/jpeg", 10).await;
    assert_eq!(
        (reply.status, reply.error_code().as_str()),
        (404, "not_found")
    );
    let reply = status(&h, t, &conv, "att_01KEEEEEEEEEEEEEEEEEEEEEEE").await;
    assert_eq!(
        (reply.status, reply.error_code().as_str()),
        (404, "not_found")
    );
    assert!(reply.text.contains("attachment"), "{}", reply.text);
    let reply = status(&h, t, &conv, "not-an-id").await;
    assert_eq!(reply.status, 404);

    let standard = h
        .call(
            "POST",
            "/v1/conversations",
            Some(json!({"kind": "standard", "contact_id": patient.contact_id, "channel": "sms"})),
            Some(t),
        )
        .await;
    assert_eq!(standard.status, 201, "{}", standard.text);
    let standard = standard.json()["id"].as_str().unwrap().to_string();
    let reply = reserve(&h, t, &standard, "a.jpg", "image/jpeg", 10).await;
    assert_eq!(
        (reply.status, reply.error_code().as_str()),
        (400, "attachments_not_supported"),
        "{}",
        reply.text
    );

    let patched = h
        .call(
            "PATCH",
            &format!("/v1/conversations/{conv}"),
            Some(json!({"read_only": true})),
            Some(t),
        )
        .await;
    assert_eq!(patched.status, 200);
    let reply = reserve(&h, &patient.token, &conv, "a.jpg", "image/jpeg", 10).await;
    assert_eq!(
        (reply.status, reply.error_code().as_str()),
        (409, "read_only")
    );
}

#[tokio::test]
async fn a_conversation_takes_at_most_fifty_uploads_a_day() {
    let h = Harness::new().await;
    let owner = h.new_practice("Maple Budget Clinic").await;
    let patient = h.new_patient(&owner, "Fay Dunn").await;
    let conv = h
        .new_conversation(&owner, &[&patient.contact_id], None)
        .await;
    let limit = canopy_shared::attachments::reserve::PER_CONVERSATION_DAY.uploads;
    for i in 0..limit {
        let reply = reserve(&h, &patient.token, &conv, "a.jpg", "image/jpeg", 10).await;
        assert_eq!(reply.status, 201, "upload {i}: {}", reply.text);
    }
    let reply = reserve(&h, &owner.token, &conv, "a.jpg", "image/jpeg", 10).await;
    assert_eq!(
        (reply.status, reply.error_code().as_str()),
        (429, "upload_budget_exhausted"),
        "{}",
        reply.text
    );
    assert!(reply.header("retry-after").is_some());
    // Another conversation of the same patient still takes uploads.
    let other = h
        .new_conversation(&owner, &[&patient.contact_id], None)
        .await;
    let reply = reserve(&h, &patient.token, &other, "a.jpg", "image/jpeg", 10).await;
    assert_eq!(reply.status, 201, "{}", reply.text);
}
