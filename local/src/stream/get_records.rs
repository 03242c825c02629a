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

/// Why a page could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum GetRecordsError {
    /// The shard iterator is older than 15 minutes (`ExpiredIteratorException`): the poller
    /// asks for a new one after the last record it read, as Lambda's poller does. A test
    /// process that drains the stream only now and then meets this on a slow run.
    #[error("GetRecords: the shard iterator expired")]
    Expired,
    #[error("GetRecords: {0}")]
    Failed(String),
}

/// One page of records and the next iterator (`None`: the shard is closed and drained).
pub async fn get_records(
    endpoint: &str,
    iterator: &str,
    limit: u32,
) -> Result<(Vec<Value>, Option<String>), GetRecordsError> {
    let failed =
        |what: &str, e: &dyn std::fmt::Display| GetRecordsError::Failed(format!("{what}: {e}"));
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
        .map_err(|e| failed("connect", &e))?;
    stream
        .write_all(request.as_bytes())
        .await
        .map_err(|e| failed("write", &e))?;
    let mut response = Vec::new();
    stream
        .read_to_end(&mut response)
        .await
        .map_err(|e| failed("read", &e))?;
    let text = String::from_utf8_lossy(&response);
    let (head, body) = text
        .split_once("\r\n\r\n")
        .ok_or_else(|| GetRecordsError::Failed("no HTTP body".into()))?;
    if !head.starts_with("HTTP/1.1 200") && !head.starts_with("HTTP/1.0 200") {
        return Err(refusal(head, body));
    }
    let mut page: Value = serde_json::from_str(body).map_err(|e| failed("JSON", &e))?;
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

/// A non-200 answer: its `__type` (`com.amazonaws…#ExpiredIteratorException`) says what.
fn refusal(head: &str, body: &str) -> GetRecordsError {
    let error_type = serde_json::from_str::<Value>(body)
        .ok()
        .and_then(|v| v.get("__type").and_then(Value::as_str).map(str::to_string))
        .unwrap_or_default();
    if error_type.ends_with("ExpiredIteratorException") {
        return GetRecordsError::Expired;
    }
    let status = head.lines().next().unwrap_or_default();
    GetRecordsError::Failed(format!("{status} {error_type}").trim_end().to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::net::TcpListener;

    /// A one-shot server answering the next connection with `response`.
    async fn answering(response: &'static str) -> String {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let address = listener.local_addr().unwrap();
        tokio::spawn(async move {
            let (mut socket, _) = listener.accept().await.unwrap();
            let mut request = vec![0u8; 4096];
            let _ = socket.read(&mut request).await;
            socket.write_all(response.as_bytes()).await.unwrap();
        });
        format!("http://{address}")
    }

    #[tokio::test]
    async fn an_expired_iterator_is_told_apart_from_other_refusals() {
        let expired = answering(
            "HTTP/1.1 400 Bad Request\r\nContent-Type: application/x-amz-json-1.0\r\n\r\n\
             {\"__type\":\"com.amazonaws.dynamodb.v20120810#ExpiredIteratorException\",\"message\":\"Iterator expired\"}",
        )
        .await;
        assert_eq!(
            get_records(&expired, "old", 10).await,
            Err(GetRecordsError::Expired)
        );

        let invalid = answering(
            "HTTP/1.1 400 Bad Request\r\n\r\n\
             {\"__type\":\"com.amazon.coral.validate#ValidationException\",\"message\":\"bad\"}",
        )
        .await;
        assert_eq!(
            get_records(&invalid, "bad", 10).await,
            Err(GetRecordsError::Failed(
                "HTTP/1.1 400 Bad Request com.amazon.coral.validate#ValidationException".into()
            ))
        );
    }

    #[tokio::test]
    async fn a_page_gives_its_records_and_next_iterator() {
        let page = answering(
            "HTTP/1.1 200 OK\r\n\r\n{\"Records\":[{\"eventID\":\"1\"}],\"NextShardIterator\":\"next\"}",
        )
        .await;
        let (records, next) = get_records(&page, "it", 10).await.unwrap();
        assert_eq!(records.len(), 1);
        assert_eq!(next.as_deref(), Some("next"));
    }
}
