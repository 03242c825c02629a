//! The whole path of a file: reserved, PUT through the presigned URL into moto, checked by
//! the upload check, then read back byte for byte by the other side of the conversation.

use super::support::{deliver_notifications, fetch, put, reserve, status, upload, JPEG, PDF};
use canopy_tests::Harness;

#[tokio::test]
async fn a_jpeg_and_a_pdf_become_ready_and_come_back_byte_for_byte_to_the_other_side() {
    let h = Harness::new().await;
    let owner = h.new_practice("Birch Clinic").await;
    let patient = h.new_patient(&owner, "Ada Moss").await;
    let conv = h
        .new_conversation(&owner, &[&patient.contact_id], None)
        .await;

    // The patient reserves a photo: an `uploading` attachment and a PUT for exactly it.
    let reply = reserve(
        &h,
        &patient.token,
        &conv,
        "rash.jpg",
        "image/jpeg",
        JPEG.len() as u64,
    )
    .await;
    assert_eq!(reply.status, 201, "{}", reply.text);
    let body = reply.json();
    let photo = body["id"].as_str().unwrap().to_string();
    assert!(photo.starts_with("att_"));
    assert_eq!(body["status"], "uploading");
    assert_eq!(body["upload"]["method"], "PUT");
    assert_eq!(body["upload"]["headers"]["content-type"], "image/jpeg");
    assert_eq!(
        body["upload"]["headers"]["content-length"],
        JPEG.len().to_string()
    );
    let url = body["upload"]["url"].as_str().unwrap();
    assert!(
        url.contains(&format!("/attachments/{conv}/{photo}?")),
        "ids only: {url}"
    );
    assert!(!url.contains("rash"), "no file name in the URL");
    assert!(url.contains("X-Amz-Expires=900"), "{url}");

    // Before the bytes arrive it is `uploading`, with nothing to download.
    let before = status(&h, &owner.token, &conv, &photo).await;
    assert_eq!(before.status, 200, "{}", before.text);
    assert_eq!(before.json()["status"], "uploading");
    assert!(before.json().get("download").is_none());

    let (put_status, text) = put(&body["upload"], JPEG);
    assert_eq!(put_status, 200, "{text}");
    deliver_notifications(&h).await;

    // The practice (the other side) sees it ready and downloads the same bytes.
    let ready = status(&h, &owner.token, &conv, &photo).await;
    assert_eq!(ready.status, 200, "{}", ready.text);
    let view = ready.json();
    assert_eq!(view["status"], "ready");
    assert_eq!(view["filename"], "rash.jpg");
    assert_eq!(view["content_type"], "image/jpeg");
    assert_eq!(view["size"], JPEG.len());
    let download = view["download"]["url"].as_str().unwrap();
    assert!(download.contains("X-Amz-Expires=300"), "{download}");
    let (got, bytes) = fetch(download);
    assert_eq!(got, 200);
    assert_eq!(bytes, JPEG);

    // The practice sends a PDF; the patient downloads it.
    let leaflet = upload(
        &h,
        &owner.token,
        &conv,
        "aftercare.pdf",
        "application/pdf",
        PDF,
    )
    .await;
    let view = status(&h, &patient.token, &conv, &leaflet).await.json();
    assert_eq!(view["status"], "ready", "{view}");
    let (got, bytes) = fetch(view["download"]["url"].as_str().unwrap());
    assert_eq!(got, 200);
    assert_eq!(bytes, PDF);
}

#[tokio::test]
async fn a_redelivered_notification_changes_nothing() {
    let h = Harness::new().await;
    let owner = h.new_practice("Rowan Clinic").await;
    let patient = h.new_patient(&owner, "Bo Lind").await;
    let conv = h
        .new_conversation(&owner, &[&patient.contact_id], None)
        .await;
    let photo = upload(&h, &patient.token, &conv, "a.jpg", "image/jpeg", JPEG).await;
    let key = format!("attachments/{conv}/{photo}");
    let bucket = super::support::bucket().await;
    let listed = bucket.list(&key).await.unwrap();
    let (_, etag, size) = listed.first().cloned().expect("the object is there");
    let event = canopy_local::uploads::object_created_event(bucket.bucket(), &key, &etag, size);
    let event = serde_json::from_value(event).unwrap();
    fn_upload_check::handle(&h.app, bucket, event)
        .await
        .unwrap();
    let view = status(&h, &patient.token, &conv, &photo).await.json();
    assert_eq!(view["status"], "ready");
    assert_eq!(fetch(view["download"]["url"].as_str().unwrap()).1, JPEG);
}
