//! What the presigned URLs sign (moto enforces none of it, so this is where it is proven),
//! and the tag flip of the attach step.

use super::*;
use aws_credential_types::provider::SharedCredentialsProvider;
use aws_credential_types::Credentials;

fn files() -> S3Files {
    let sdk = aws_config::SdkConfig::builder()
        .region(aws_config::Region::new("us-east-1"))
        .credentials_provider(SharedCredentialsProvider::new(Credentials::new(
            "AKIDEXAMPLE",
            "secret",
            None,
            None,
            "test",
        )))
        .build();
    S3Files::new(S3Client::from_sdk(&sdk), "canopy-attachments")
}

fn query(url: &str, name: &str) -> Option<String> {
    url.split_once('?')?.1.split('&').find_map(|pair| {
        let (k, v) = pair.split_once('=')?;
        (k == name).then(|| v.replace("%3B", ";").replace("%3b", ";"))
    })
}

const KEY: &str = "attachments/conv_01JDQ7Z6ZP7N4X2Y3W5V8T9R0S/att_01JDQ7Z6ZP7N4X2Y3W5V8T9R0T";
const AT: i64 = 1_795_320_600_000;

#[tokio::test]
async fn the_upload_url_signs_type_length_no_overwrite_and_the_unattached_tag() {
    let up = files()
        .presign_upload(KEY, ContentType::Jpeg, 48_213, AT, 900)
        .await
        .unwrap();
    assert_eq!(
        query(&up.url, "X-Amz-SignedHeaders").as_deref(),
        Some("content-length;content-type;host;if-none-match;x-amz-tagging"),
        "{}",
        up.url
    );
    assert_eq!(query(&up.url, "X-Amz-Expires").as_deref(), Some("900"));
    assert_eq!(
        query(&up.url, "X-Amz-Date").as_deref(),
        Some("20261122T041000Z")
    );
    assert!(up.url.contains(&format!("/{KEY}?")), "ids only: {}", up.url);
    assert!(!up.url.contains("x-amz-checksum"), "{}", up.url);
    let header = |n: &str| {
        up.headers
            .iter()
            .find(|(k, _)| k == n)
            .map(|(_, v)| v.as_str())
    };
    assert_eq!(header("content-type"), Some("image/jpeg"));
    assert_eq!(header("content-length"), Some("48213"));
    assert_eq!(header("if-none-match"), Some("*"));
    assert_eq!(header("x-amz-tagging"), Some("canopy-state=unattached"));
    assert_eq!(up.expires_at_ms, AT + 900_000);
}

#[tokio::test]
async fn another_length_or_type_is_another_signature() {
    let f = files();
    let sig = |u: &PresignedUpload| query(&u.url, "X-Amz-Signature").unwrap();
    let base = f
        .presign_upload(KEY, ContentType::Jpeg, 100, AT, 900)
        .await
        .unwrap();
    let again = f
        .presign_upload(KEY, ContentType::Jpeg, 100, AT, 900)
        .await
        .unwrap();
    let longer = f
        .presign_upload(KEY, ContentType::Jpeg, 101, AT, 900)
        .await
        .unwrap();
    let png = f
        .presign_upload(KEY, ContentType::Png, 100, AT, 900)
        .await
        .unwrap();
    assert_eq!(sig(&base), sig(&again), "signing is deterministic");
    assert_ne!(
        sig(&base),
        sig(&longer),
        "content-length is in the canonical request"
    );
    assert_ne!(
        sig(&base),
        sig(&png),
        "content-type is in the canonical request"
    );
}

#[tokio::test]
async fn the_download_url_lasts_five_minutes_and_signs_only_the_host() {
    let url = files().presign_download(KEY, AT, 300).await.unwrap();
    assert_eq!(query(&url, "X-Amz-Expires").as_deref(), Some("300"));
    assert_eq!(query(&url, "X-Amz-SignedHeaders").as_deref(), Some("host"));
    assert_eq!(
        query(&url, "response-content-disposition").as_deref(),
        Some("attachment")
    );
    assert!(url.contains(&format!("/{KEY}?")));
}

#[test]
fn attaching_flips_only_our_tag() {
    let tag = |k: &str, v: &str| (k.to_string(), v.to_string());
    let current = [
        tag("canopy-state", "unattached"),
        tag("GuardDutyMalwareScanStatus", "NO_THREATS_FOUND"),
    ];
    let mut after = attached_tags(&current);
    after.sort();
    assert_eq!(
        after,
        vec![
            (
                "GuardDutyMalwareScanStatus".to_string(),
                "NO_THREATS_FOUND".to_string()
            ),
            ("canopy-state".to_string(), "attached".to_string()),
        ]
    );
}

#[tokio::test]
async fn a_url_valid_for_more_than_a_week_is_refused() {
    let err = files().presign_download(KEY, AT, 7 * 24 * 3600 + 1).await;
    assert!(matches!(err, Err(FilesError::Other(_))), "{err:?}");
    assert!(files()
        .presign_download(KEY, AT, 7 * 24 * 3600)
        .await
        .is_ok());
}

#[test]
fn reads_the_total_size_from_content_range() {
    assert_eq!(total_from_content_range("bytes 0-4095/12345"), Some(12345));
    assert_eq!(total_from_content_range("bytes */0"), Some(0));
    assert_eq!(total_from_content_range("junk"), None);
}
