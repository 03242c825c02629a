//! Reads what moto recorded as sent (`GET /moto-api/data.json`): SMS by number, emails by
//! recipient. A tiny blocking HTTP/1.0 GET keeps the harness free of an HTTP client crate.

use serde_json::Value;
use std::io::{Read, Write};
use std::net::TcpStream;

fn data() -> Value {
    let base = std::env::var("MOTO_URL").expect("MOTO_URL");
    let authority = base.trim_start_matches("http://").trim_end_matches('/');
    let mut stream = TcpStream::connect(authority).expect("connect to moto");
    write!(
        stream,
        "GET /moto-api/data.json HTTP/1.0\r\nHost: {authority}\r\n\r\n"
    )
    .expect("write");
    let mut response = String::new();
    stream.read_to_string(&mut response).expect("read");
    let body = response
        .split_once("\r\n\r\n")
        .map(|(_, b)| b)
        .unwrap_or("");
    serde_json::from_str(body).expect("moto data is JSON")
}

/// Every SMS text sent to `phone` (E.164), oldest first.
pub fn sms_to(phone: &str) -> Vec<String> {
    data()["sns"]["SMS"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|m| m["phone_number"] == phone)
        .filter_map(|m| m["message"].as_str().map(str::to_string))
        .collect()
}

/// Every email (subject, body) sent to `address`, oldest first.
pub fn emails_to(address: &str) -> Vec<(String, String)> {
    data()["ses"]["Message"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|m| {
            m["destinations"]["ToAddresses"]
                .as_array()
                .is_some_and(|to| to.iter().any(|a| a == address))
        })
        .map(|m| {
            (
                m["subject"].as_str().unwrap_or_default().to_string(),
                m["body"].as_str().unwrap_or_default().to_string(),
            )
        })
        .collect()
}

/// The first run of six digits in a text.
pub fn code_in(text: &str) -> Option<String> {
    let bytes = text.as_bytes();
    (0..bytes.len().saturating_sub(5)).find_map(|i| {
        let window = &bytes[i..i + 6];
        let bounded = (i == 0 || !bytes[i - 1].is_ascii_digit())
            && bytes.get(i + 6).is_none_or(|b| !b.is_ascii_digit());
        (bounded && window.iter().all(u8::is_ascii_digit)).then(|| text[i..i + 6].to_string())
    })
}

/// The newest code emailed to `address`.
pub fn latest_email_code(address: &str) -> Option<String> {
    emails_to(address)
        .last()
        .and_then(|(_, body)| code_in(body))
}

/// The newest code texted to `phone`.
pub fn latest_sms_code(phone: &str) -> Option<String> {
    sms_to(phone).last().and_then(|m| code_in(m))
}
