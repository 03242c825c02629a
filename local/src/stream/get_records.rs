//! GetRecords against DynamoDB Local, read as plain JSON: its answers write empty map
//! attributes as `{}`, which the SDK's typed parser refuses for the whole page (one new
//! conversation, whose read maps start empty, would stop the stream). The other stream
//! calls (DescribeStream, GetShardIterator) carry no items and go through the SDK.
//!
//! A plain HTTP/1.0 POST over loopback; DynamoDB Local (`-sharedDb`) does not check
//! request signatures, so the Authorization header only has to be well formed.

use serde_json::Value;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// One page of records and the next iterator (`None`: the shard is closed and drained).
pub async fn get_records(
    endpoint: &str,
    iterator: &str,
    limit: u32,
) -> Result<(Vec<Value>, Option<String>), String> {
    let authority = endpoint
        .trim_start_matches("http://")
        .trim_end_matches('/')
        .to_string();
    let body = serde_json::json!({"ShardIterator": iterator, "Limit": limit}).to_string();
    let request = format!(
        "POST / HTTP/1.0\r\nHost: {authority}\r\nContent-Type: application/x-amz-json-1.0\r\n\
         X-Amz-Target: DynamoDBStreams_20120810.GetRecords\r\nX-Amz-Date: 20260101T000000Z\r\n\
         Authorization: AWS4-HMAC-SHA256 Credential=local/20260101/us-east-1/dynamodb/aws4_request, \
         SignedHeaders=content-type;host;x-amz-date;x-amz-target, Signature=00\r\n\
         Content-Length: {}\r\n\r\n{body}",
        body.len()
    );
    let mut stream = TcpStream::connect(&authority)
        .await
        .map_err(|e| format!("connect: {e}"))?;
    stream
        .write_all(request.as_bytes())
        .await
        .map_err(|e| format!("write: {e}"))?;
    let mut response = Vec::new();
    stream
        .read_to_end(&mut response)
        .await
        .map_err(|e| format!("read: {e}"))?;
    let text = String::from_utf8_lossy(&response);
    let (head, body) = text
        .split_once("\r\n\r\n")
        .ok_or_else(|| "no HTTP body".to_string())?;
    if !head.starts_with("HTTP/1.1 200") && !head.starts_with("HTTP/1.0 200") {
        return Err(format!(
            "GetRecords: {}",
            head.lines().next().unwrap_or_default()
        ));
    }
    let mut page: Value = serde_json::from_str(body).map_err(|e| format!("JSON: {e}"))?;
    let records = match page.get_mut("Records").map(Value::take) {
        Some(Value::Array(r)) => r,
        _ => vec![],
    };
    let next = page
        .get("NextShardIterator")
        .and_then(Value::as_str)
        .map(str::to_string);
    Ok((records, next))
}
