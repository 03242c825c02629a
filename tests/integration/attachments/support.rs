//! What the attachment tests share: the fixture files (see `fixtures/make.py`), a tiny
//! HTTP/1.0 client for moto's presigned URLs (the harness has no HTTP client crate), and
//! the steps of an upload.

use canopy_local::uploads::{files, UploadNotifier};
use canopy_shared::adapters::s3::S3Files;
use canopy_tests::{Harness, Reply};
use serde_json::{json, Value};
use std::io::{Read, Write};
use std::net::TcpStream;
use tokio::sync::OnceCell;

/// A real 8x8 baseline JPEG.
pub const JPEG: &[u8] = include_bytes!("fixtures/grey.jpg");
/// A real one-page PDF.
pub const PDF: &[u8] = include_bytes!("fixtures/note.pdf");
/// A real 1x1 PNG (declared as a PDF in the mismatch test).
pub const PNG: &[u8] = include_bytes!("fixtures/dot.png");

/// One notifier for the whole test binary, as one dev server has one.
static NOTIFIER: OnceCell<UploadNotifier> = OnceCell::const_new();

pub async fn bucket() -> &'static S3Files {
    files()
        .await
        .expect("ATTACHMENTS_BUCKET: run the tests with scripts/test.sh")
}

/// Delivers the S3 notification of every new object now (the dev server does it within a
/// second; tests do not wait for it).
pub async fn deliver_notifications(h: &Harness) {
    let notifier = NOTIFIER
        .get_or_init(|| async { UploadNotifier::new() })
        .await;
    notifier
        .deliver_new(&h.app, bucket().await)
        .await
        .expect("list the attachments bucket");
}

pub async fn reserve(
    h: &Harness,
    token: &str,
    conversation: &str,
    filename: &str,
    content_type: &str,
    size: u64,
) -> Reply {
    h.call(
        "POST",
        &format!("/v1/conversations/{conversation}/attachments"),
        Some(json!({"filename": filename, "content_type": content_type, "size": size})),
        Some(token),
    )
    .await
}

pub async fn status(h: &Harness, token: &str, conversation: &str, attachment: &str) -> Reply {
    h.call(
        "GET",
        &format!("/v1/conversations/{conversation}/attachments/{attachment}"),
        None,
        Some(token),
    )
    .await
}

/// Reserves, PUTs `bytes` with exactly the headers the answer named, and delivers the S3
/// notification. Returns the attachment id.
pub async fn upload(
    h: &Harness,
    token: &str,
    conversation: &str,
    filename: &str,
    content_type: &str,
    bytes: &[u8],
) -> String {
    let reply = reserve(
        h,
        token,
        conversation,
        filename,
        content_type,
        bytes.len() as u64,
    )
    .await;
    assert_eq!(reply.status, 201, "{}", reply.text);
    let body = reply.json();
    let (status, text) = put(&body["upload"], bytes);
    assert_eq!(status, 200, "PUT to the presigned URL: {text}");
    deliver_notifications(h).await;
    body["id"].as_str().unwrap().to_string()
}

/// PUTs `bytes` to the presigned upload (`{url, headers}`), sending its headers as given.
pub fn put(upload: &Value, bytes: &[u8]) -> (u16, String) {
    let headers: Vec<(String, String)> = upload["headers"]
        .as_object()
        .unwrap()
        .iter()
        .filter(|(k, _)| k.as_str() != "content-length")
        .map(|(k, v)| (k.clone(), v.as_str().unwrap().to_string()))
        .collect();
    let (status, body) = request("PUT", upload["url"].as_str().unwrap(), &headers, bytes);
    (status, String::from_utf8_lossy(&body).into_owned())
}

/// GETs a (presigned) URL: status and body bytes.
pub fn fetch(url: &str) -> (u16, Vec<u8>) {
    request("GET", url, &[], &[])
}

fn request(method: &str, url: &str, headers: &[(String, String)], body: &[u8]) -> (u16, Vec<u8>) {
    let rest = url.strip_prefix("http://").expect("moto serves plain http");
    let (authority, path) = rest.split_at(rest.find('/').unwrap_or(rest.len()));
    let mut stream = TcpStream::connect(authority).expect("connect to moto");
    let mut head = format!("{method} {path} HTTP/1.0\r\nHost: {authority}\r\n");
    for (k, v) in headers {
        head.push_str(&format!("{k}: {v}\r\n"));
    }
    head.push_str(&format!("Content-Length: {}\r\n\r\n", body.len()));
    stream.write_all(head.as_bytes()).expect("write");
    stream.write_all(body).expect("write body");
    let mut response = Vec::new();
    stream.read_to_end(&mut response).expect("read");
    let split = response
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .expect("a complete HTTP response");
    let status_line = String::from_utf8_lossy(&response[..split]).into_owned();
    let status = status_line
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .expect("a status code");
    (status, response[split + 4..].to_vec())
}
