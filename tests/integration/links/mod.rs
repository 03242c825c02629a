//! Practice links (issue 3): management, clicks, the download SMS, invite pages.

mod clicks;
mod download;
mod invites;
mod management;

use canopy_local::event::RawRequest;
use canopy_local::template::Api;
use canopy_tests::fixtures::Staff;
use canopy_tests::{Harness, Reply};
use serde_json::{json, Value};
use std::collections::BTreeMap;

pub const IPHONE: &str = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1";
pub const ANDROID: &str = "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0 Mobile Safari/537.36";
pub const DESKTOP: &str = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0 Safari/537.36";

/// A random private client address, so tests never share the
/// per-address download budget.
pub fn random_ip() -> String {
    let n = ulid::Ulid::new().random();
    format!("10.{}.{}.{}", (n >> 16) as u8, (n >> 8) as u8, n as u8)
}

/// A request to the link domain from `ip` with a user agent.
pub async fn link_request(
    h: &Harness,
    method: &str,
    path: &str,
    user_agent: &str,
    content_type: Option<&str>,
    body: &[u8],
    ip: &str,
) -> Reply {
    let mut headers = BTreeMap::new();
    headers.insert("user-agent".to_string(), user_agent.to_string());
    if let Some(ct) = content_type {
        headers.insert("content-type".to_string(), ct.to_string());
    }
    let raw = RawRequest {
        method: method.to_string(),
        path: path.to_string(),
        query: String::new(),
        headers,
        body: body.to_vec(),
        source_ip: ip.to_string(),
    };
    let response = h.router.dispatch(&h.app, Api::Link, raw).await;
    let (parts, body) = response.into_parts();
    let text = match body {
        lambda_http::Body::Text(t) => t,
        lambda_http::Body::Binary(b) => String::from_utf8_lossy(&b).into_owned(),
        _ => String::new(),
    };
    Reply {
        status: parts.status.as_u16(),
        headers: parts.headers,
        text,
    }
}

pub async fn click(h: &Harness, code: &str, user_agent: &str) -> Reply {
    link_request(
        h,
        "GET",
        &format!("/{code}"),
        user_agent,
        None,
        b"",
        "203.0.113.9",
    )
    .await
}

/// Creates a link as `staff`; panics unless 201.
pub async fn create_link(h: &Harness, staff: &Staff, body: Value) -> Value {
    let created = h
        .call("POST", "/v1/links", Some(body), Some(&staff.token))
        .await;
    assert_eq!(created.status, 201, "{}", created.text);
    created.json()
}

/// A link labelled "Front desk" with an allocated code.
pub async fn front_desk(h: &Harness, staff: &Staff) -> Value {
    create_link(
        h,
        staff,
        json!({"label": "Front desk", "tags": ["new-patient"]}),
    )
    .await
}

/// The link as `GET /v1/links` shows it to `staff`.
pub async fn listed(h: &Harness, staff: &Staff, id: &str) -> Option<Value> {
    let list = h.call("GET", "/v1/links", None, Some(&staff.token)).await;
    assert_eq!(list.status, 200, "{}", list.text);
    list.json()["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["id"] == id)
        .cloned()
}
