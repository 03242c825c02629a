//! The client against a tiny local HTTP server answering as S3 would: what goes on the wire
//! (path-style URL, signed headers, bodies) and how each answer becomes a result. The
//! error mapping is the one `aws-sdk-s3` gave: `NoSuchKey` is absence, throttling, 5xx and
//! no answer are [`FilesError::Unavailable`] (after the retries), the rest `Other`.

use super::*;
use crate::adapters::canned_server::{bare, quick_sdk_config, server, Canned, Log};
use crate::adapters::s3_mail::{S3Mail, MAX_MAIL_BYTES};
use crate::ports::standard::{MailSource, SendFailure};

fn ok(body: &[u8]) -> Canned {
    Canned {
        status: 200,
        headers: vec![("etag", "\"e1\"".into())],
        body: body.to_vec(),
    }
}

fn error(status: u16, code: &str) -> Canned {
    Canned {
        status,
        headers: vec![("content-type", "application/xml".into())],
        body: format!(
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>{code}</Code><Message>said {code}</Message><RequestId>r</RequestId></Error>"
        )
        .into_bytes(),
    }
}

fn client(url: &str) -> S3Client {
    S3Client::from_sdk(&quick_sdk_config("us-east-1")).with_endpoint(url)
}

async fn files(replies: Vec<Canned>) -> (S3Files, Log) {
    let (url, log) = server(replies).await;
    (S3Files::new(client(&url), "bucket"), log)
}

const KEY: &str = "attachments/conv_1/att_1";

#[tokio::test]
async fn the_upload_check_reads_the_first_bytes_signed_and_path_style() {
    let mut answer = ok(b"\xff\xd8\xff");
    answer.status = 206;
    answer
        .headers
        .push(("content-range", "bytes 0-2/48213".into()));
    let (files, log) = files(vec![answer]).await;
    let head = files.head(KEY, 3).await.unwrap().unwrap();
    assert_eq!(head.size, 48_213);
    assert_eq!(head.etag, "e1");
    assert_eq!(head.first_bytes, b"\xff\xd8\xff");
    let log = log.lock().unwrap();
    let seen = &log[0];
    assert_eq!(seen.method, "GET");
    assert_eq!(seen.target, format!("/bucket/{KEY}"));
    assert_eq!(seen.header("range"), Some("bytes=0-2"));
    assert_eq!(seen.header("x-amz-security-token"), Some("session"));
    assert_eq!(
        seen.header("x-amz-content-sha256"),
        Some("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
    );
    let auth = seen.header("authorization").unwrap();
    assert!(
        auth.starts_with("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/"),
        "{auth}"
    );
    assert!(auth.contains("/us-east-1/s3/aws4_request"), "{auth}");
    assert!(auth.contains("range"), "{auth}");
}

#[tokio::test]
async fn no_such_key_is_absence() {
    let (files, _) = files(vec![
        error(404, "NoSuchKey"),
        error(404, "NoSuchKey"),
        error(404, "NoSuchKey"),
    ])
    .await;
    assert!(files.head(KEY, 8).await.unwrap().is_none());
    assert!(files.read_card("cards/x").await.unwrap().is_none());
    assert!(matches!(
        files.mark_attached(KEY).await,
        Err(FilesError::Missing)
    ));
}

#[tokio::test]
async fn an_empty_object_is_read_by_its_head() {
    let head = Canned {
        status: 200,
        headers: vec![("etag", "\"d41d\"".into()), ("content-length", "0".into())],
        body: vec![],
    };
    let (files, log) = files(vec![
        error(416, "InvalidRange"),
        head,
        error(416, "InvalidRange"),
        bare(404),
    ])
    .await;
    let found = files.head(KEY, 8).await.unwrap().unwrap();
    assert_eq!((found.size, found.etag.as_str()), (0, "d41d"));
    assert!(found.first_bytes.is_empty());
    assert!(
        files.head(KEY, 8).await.unwrap().is_none(),
        "gone in between"
    );
    let methods: Vec<String> = log
        .lock()
        .unwrap()
        .iter()
        .map(|s| s.method.clone())
        .collect();
    assert_eq!(methods, ["GET", "HEAD", "GET", "HEAD"]);
}

#[tokio::test]
async fn any_5xx_is_unavailable_after_three_attempts() {
    for status in [500, 502, 503, 504] {
        let (files, log) = files(vec![
            error(status, "AnythingAtAll"),
            bare(status),
            error(status, "AnythingAtAll"),
        ])
        .await;
        assert!(
            matches!(files.delete(KEY).await, Err(FilesError::Unavailable)),
            "{status}"
        );
        assert_eq!(log.lock().unwrap().len(), 3, "{status}");
    }
}

#[tokio::test]
async fn throttling_is_retried_and_can_succeed() {
    let (bucket, log) = files(vec![
        error(503, "SlowDown"),
        error(400, "RequestTimeout"),
        ok(b"{}"),
    ])
    .await;
    assert_eq!(
        bucket.read_card("cards/x").await.unwrap(),
        Some(b"{}".to_vec())
    );
    assert_eq!(log.lock().unwrap().len(), 3);
    let (bucket, _) = files(vec![error(400, "RequestTimeout"); 3]).await;
    assert!(matches!(
        bucket.delete(KEY).await,
        Err(FilesError::Unavailable)
    ));
}

#[tokio::test]
async fn a_refusal_is_ours_and_not_retried() {
    let (files, log) = files(vec![error(403, "AccessDenied"), bare(403)]).await;
    match files.write_card("cards/x", b"{}".to_vec()).await {
        Err(FilesError::Other(message)) => assert_eq!(message, "AccessDenied said AccessDenied"),
        other => panic!("{other:?}"),
    }
    match files.delete(KEY).await {
        Err(FilesError::Other(message)) => assert!(message.starts_with('?'), "{message}"),
        other => panic!("{other:?}"),
    }
    assert_eq!(log.lock().unwrap().len(), 2);
}

#[tokio::test]
async fn no_answer_is_unavailable() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    drop(listener);
    let files = S3Files::new(client(&url), "bucket");
    assert!(matches!(
        files.delete(KEY).await,
        Err(FilesError::Unavailable)
    ));
}

#[tokio::test]
async fn a_card_is_put_with_its_type_and_hash() {
    let (files, log) = files(vec![ok(b"")]).await;
    files
        .write_card("cards/conv_1/att_1.json", br#"{"a":1}"#.to_vec())
        .await
        .unwrap();
    let log = log.lock().unwrap();
    assert_eq!(log[0].method, "PUT");
    assert_eq!(log[0].target, "/bucket/cards/conv_1/att_1.json");
    assert_eq!(log[0].body, br#"{"a":1}"#);
    assert_eq!(log[0].header("content-type"), Some("application/json"));
    let hash = {
        use sha2::Digest;
        hex::encode(sha2::Sha256::digest(br#"{"a":1}"#))
    };
    assert_eq!(log[0].header("x-amz-content-sha256"), Some(hash.as_str()));
}

#[tokio::test]
async fn attaching_rewrites_the_tags_with_a_checksum() {
    let current = r#"<?xml version="1.0" encoding="UTF-8"?><Tagging><TagSet><Tag><Key>canopy-state</Key><Value>unattached</Value></Tag><Tag><Key>GuardDutyMalwareScanStatus</Key><Value>NO_THREATS_FOUND</Value></Tag></TagSet></Tagging>"#;
    let (files, log) = files(vec![ok(current.as_bytes()), ok(b"")]).await;
    files.mark_attached(KEY).await.unwrap();
    let log = log.lock().unwrap();
    assert_eq!(
        (log[0].method.as_str(), log[0].target.as_str()),
        ("GET", &*format!("/bucket/{KEY}?tagging"))
    );
    assert_eq!(
        (log[1].method.as_str(), log[1].target.as_str()),
        ("PUT", &*format!("/bucket/{KEY}?tagging"))
    );
    let mut written = xml::tags(&String::from_utf8_lossy(&log[1].body));
    written.sort();
    assert_eq!(
        written,
        vec![
            (
                "GuardDutyMalwareScanStatus".to_string(),
                "NO_THREATS_FOUND".to_string()
            ),
            ("canopy-state".to_string(), "attached".to_string()),
        ]
    );
    let checksum = {
        use base64::Engine;
        use sha2::Digest;
        base64::engine::general_purpose::STANDARD.encode(sha2::Sha256::digest(&log[1].body))
    };
    assert_eq!(
        log[1].header("x-amz-checksum-sha256"),
        Some(checksum.as_str())
    );
    assert!(log[1]
        .header("authorization")
        .unwrap()
        .contains("x-amz-checksum-sha256"));
}

#[tokio::test]
async fn the_listing_follows_continuation_tokens() {
    let first = r#"<ListBucketResult><IsTruncated>true</IsTruncated><Contents><Key>attachments/a</Key><ETag>&quot;1&quot;</ETag><Size>3</Size></Contents><NextContinuationToken>t/2=</NextContinuationToken></ListBucketResult>"#;
    let second = r#"<ListBucketResult><IsTruncated>false</IsTruncated><Contents><Key>attachments/b c</Key><ETag>"2"</ETag><Size>4</Size></Contents></ListBucketResult>"#;
    let (files, log) = files(vec![ok(first.as_bytes()), ok(second.as_bytes())]).await;
    let found = files.list("attachments/").await.unwrap();
    assert_eq!(
        found,
        vec![
            ("attachments/a".to_string(), "1".to_string(), 3),
            ("attachments/b c".to_string(), "2".to_string(), 4),
        ]
    );
    let log = log.lock().unwrap();
    assert_eq!(log[0].target, "/bucket/?list-type=2&prefix=attachments%2F");
    assert_eq!(
        log[1].target,
        "/bucket/?list-type=2&prefix=attachments%2F&continuation-token=t%2F2%3D"
    );
}

#[tokio::test]
async fn inbound_mail_is_read_refused_when_too_large_and_absent_when_gone() {
    let too_large = Canned {
        status: 200,
        headers: vec![("content-length", (MAX_MAIL_BYTES + 1).to_string())],
        body: vec![],
    };
    let (url, log) = server(vec![
        ok(b"From: a@b\r\n\r\nhi"),
        too_large,
        error(404, "NoSuchKey"),
        error(403, "AccessDenied"),
    ])
    .await;
    let mail = S3Mail::new(client(&url));
    assert_eq!(
        mail.fetch("mail", "inbound/m1").await.unwrap(),
        Some(b"From: a@b\r\n\r\nhi".to_vec())
    );
    assert!(matches!(
        mail.fetch("mail", "inbound/m2").await,
        Err(SendFailure::Refused(_))
    ));
    assert_eq!(mail.fetch("mail", "inbound/m3").await.unwrap(), None);
    assert!(matches!(
        mail.fetch("mail", "inbound/m4").await,
        Err(SendFailure::Unavailable)
    ));
    assert_eq!(log.lock().unwrap()[0].target, "/mail/inbound/m1");
}
