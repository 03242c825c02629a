//! Builds API Gateway HTTP API (payload 2.0) events, the same JSON Lambda receives and
//! `events/` holds, and turns them into `lambda_http` requests with
//! `lambda_http::request::from_str`, exactly as the runtime does.

use serde_json::{json, Value};
use std::collections::BTreeMap;

/// A request as the dev server or a test has it, before it becomes an event.
#[derive(Debug, Clone, Default)]
pub struct RawRequest {
    pub method: String,
    /// Path without the query string.
    pub path: String,
    pub query: String,
    /// Lower-cased header names.
    pub headers: BTreeMap<String, String>,
    pub body: Vec<u8>,
    pub source_ip: String,
}

/// The event for `raw`, routed as `route_key` with `path_parameters` (the function
/// authenticates the caller from the `authorization` header itself).
pub fn api_gateway_event(
    raw: &RawRequest,
    route_key: &str,
    path_parameters: &BTreeMap<String, String>,
    request_id: &str,
) -> Value {
    let query_params: BTreeMap<String, String> = url_pairs(&raw.query);
    let (body, is_base64) = match std::str::from_utf8(&raw.body) {
        Ok(text) => (text.to_string(), false),
        Err(_) => (base64_encode(&raw.body), true),
    };
    let context = json!({
        "accountId": "000000000000",
        "apiId": "local",
        "domainName": raw.headers.get("host").cloned().unwrap_or_else(|| "localhost".into()),
        "domainPrefix": "local",
        "http": {
            "method": raw.method,
            "path": raw.path,
            "protocol": "HTTP/1.1",
            "sourceIp": raw.source_ip,
            "userAgent": raw.headers.get("user-agent").cloned().unwrap_or_default(),
        },
        "requestId": request_id,
        "routeKey": route_key,
        "stage": "$default",
        "time": "",
        "timeEpoch": 0,
    });
    let mut event = json!({
        "version": "2.0",
        "routeKey": route_key,
        "rawPath": raw.path,
        "rawQueryString": raw.query,
        "headers": raw.headers,
        "requestContext": context,
        "isBase64Encoded": is_base64,
    });
    if !query_params.is_empty() {
        event["queryStringParameters"] = json!(query_params);
    }
    if !path_parameters.is_empty() {
        event["pathParameters"] = json!(path_parameters);
    }
    if !raw.body.is_empty() {
        event["body"] = json!(body);
    }
    event
}

fn url_pairs(query: &str) -> BTreeMap<String, String> {
    query
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|pair| {
            let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
            (percent_decode(k), percent_decode(v))
        })
        .collect()
}

/// Decodes `%XX` and `+` (as a space), as API Gateway does for query parameters.
pub fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let hex = |b: u8| (b as char).to_digit(16).map(|d| d as u8);
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < bytes.len() => match (hex(bytes[i + 1]), hex(bytes[i + 2])) {
                (Some(hi), Some(lo)) => {
                    out.push(hi * 16 + lo);
                    i += 2;
                }
                _ => out.push(b'%'),
            },
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn base64_encode(bytes: &[u8]) -> String {
    const TABLE: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(TABLE[((n >> (18 - 6 * i)) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_query_values() {
        assert_eq!(percent_decode("a%20b+c"), "a b c");
        assert_eq!(percent_decode("%2B1555"), "+1555");
        assert_eq!(percent_decode("100%"), "100%");
    }

    #[test]
    fn base64_matches_the_standard_alphabet() {
        assert_eq!(base64_encode(b"\xff\xfe\xfd\x00"), "//79AA==");
    }
}
