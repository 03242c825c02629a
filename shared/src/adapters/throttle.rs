//! A DynamoDB stand-in for what DynamoDB Local never does: throttle a hot item. One item
//! (one partition key + sort key) takes about 1,000 writes a second in DynamoDB; past that
//! its writes fail with `ThrottlingException` (retried by the SDK, then surfaced).
//!
//! [`Throttled`] wraps the HTTP client the SDK clients share (see
//! [`crate::app::https_client`]) and, for each write request (`PutItem`, `UpdateItem`,
//! `DeleteItem`, the `Put`/`Update`/`Delete` of `TransactWriteItems` and `BatchWriteItem`),
//! counts the writes per item over the last second. A request that would take any item above
//! the limit is answered `400 ThrottlingException` without reaching the database, exactly as
//! DynamoDB's JSON protocol answers it, so the SDK's retry classification and the store's
//! error mapping see a real throttle. Reads pass through. Test and bench only (feature
//! `throttle-sim`): no function links it.

use aws_smithy_runtime_api::client::http::{
    HttpClient, HttpConnector, HttpConnectorFuture, HttpConnectorSettings, SharedHttpClient,
    SharedHttpConnector,
};
use aws_smithy_runtime_api::client::orchestrator::{HttpRequest, HttpResponse};
use aws_smithy_runtime_api::client::runtime_components::RuntimeComponents;
use aws_smithy_runtime_api::http::StatusCode;
use aws_smithy_types::body::SdkBody;
use serde_json::Value;
use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// Per-item write admission: at most `limit` writes to one item in any sliding window
/// (a second, as DynamoDB measures it, unless a test asks for a longer one).
#[derive(Debug)]
pub struct ItemLimiter {
    limit: usize,
    window: Duration,
    state: Mutex<LimiterState>,
}

#[derive(Debug, Default)]
struct LimiterState {
    recent: HashMap<String, VecDeque<Instant>>,
    admitted: HashMap<String, u64>,
    throttled: u64,
}

impl ItemLimiter {
    pub fn new(writes_per_item_per_second: usize) -> Arc<Self> {
        Self::per_window(writes_per_item_per_second, Duration::from_secs(1))
    }

    /// At most `limit` writes per item in any `window` (a long window makes a test's
    /// outcome independent of how fast the machine runs it).
    pub fn per_window(limit: usize, window: Duration) -> Arc<Self> {
        Arc::new(Self {
            limit,
            window,
            state: Mutex::default(),
        })
    }

    /// Admits the writes to `items` (all or none) at `now`.
    fn admit(&self, items: &[String], now: Instant) -> bool {
        let mut state = self.state.lock().expect("limiter lock");
        let LimiterState {
            recent, admitted, ..
        } = &mut *state;
        let over = items.iter().any(|item| {
            let window = recent.entry(item.clone()).or_default();
            while window
                .front()
                .is_some_and(|t| now.duration_since(*t) >= self.window)
            {
                window.pop_front();
            }
            window.len() >= self.limit
        });
        if over {
            state.throttled += 1;
            return false;
        }
        for item in items {
            recent.entry(item.clone()).or_default().push_back(now);
            *admitted.entry(item.clone()).or_default() += 1;
        }
        true
    }

    /// Requests answered `ThrottlingException` so far (each SDK attempt counts).
    pub fn throttled(&self) -> u64 {
        self.state.lock().map(|s| s.throttled).unwrap_or(0)
    }

    /// The most writes one item took, and which (`table pk sk`).
    pub fn hottest(&self) -> Option<(String, u64)> {
        let state = self.state.lock().ok()?;
        state
            .admitted
            .iter()
            .max_by_key(|(_, n)| **n)
            .map(|(k, n)| (k.clone(), *n))
    }

    /// Writes admitted to items whose partition key starts with `prefix`.
    pub fn admitted_with_prefix(&self, prefix: &str) -> u64 {
        let state = self.state.lock().expect("limiter lock");
        state
            .admitted
            .iter()
            .filter(|(k, _)| k.split(' ').nth(1).is_some_and(|pk| pk.starts_with(prefix)))
            .map(|(_, n)| n)
            .sum()
    }
}

/// The wrapping HTTP client: give it to the SDK configuration in place of the real one.
#[derive(Debug, Clone)]
pub struct Throttled {
    inner: SharedHttpClient,
    limiter: Arc<ItemLimiter>,
}

impl Throttled {
    pub fn client(inner: SharedHttpClient, limiter: Arc<ItemLimiter>) -> SharedHttpClient {
        SharedHttpClient::new(Self { inner, limiter })
    }
}

impl HttpClient for Throttled {
    fn http_connector(
        &self,
        settings: &HttpConnectorSettings,
        components: &RuntimeComponents,
    ) -> SharedHttpConnector {
        SharedHttpConnector::new(ThrottledConnector {
            inner: self.inner.http_connector(settings, components),
            limiter: self.limiter.clone(),
        })
    }
}

#[derive(Debug)]
struct ThrottledConnector {
    inner: SharedHttpConnector,
    limiter: Arc<ItemLimiter>,
}

impl HttpConnector for ThrottledConnector {
    fn call(&self, request: HttpRequest) -> HttpConnectorFuture {
        let items = written_items(&request);
        if !items.is_empty() && !self.limiter.admit(&items, Instant::now()) {
            return HttpConnectorFuture::ready(Ok(throttling_exception()));
        }
        self.inner.call(request)
    }
}

/// `table pk sk` of every item a DynamoDB write request writes (empty for reads and for
/// anything that is not DynamoDB).
pub fn written_items(request: &HttpRequest) -> Vec<String> {
    let operation = request
        .headers()
        .get("x-amz-target")
        .and_then(|t| t.strip_prefix("DynamoDB_20120810."))
        .unwrap_or_default()
        .to_string();
    let Some(body) = request.body().bytes() else {
        return Vec::new();
    };
    let Ok(json) = serde_json::from_slice::<Value>(body) else {
        return Vec::new();
    };
    items_of(&operation, &json)
}

fn item_id(table: &Value, key: &Value) -> Option<String> {
    let text = |v: &Value| {
        v.as_object()
            .and_then(|o| o.values().next())
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string()
    };
    Some(format!(
        "{} {} {}",
        table.as_str()?,
        text(key.get("pk")?),
        key.get("sk").map(text).unwrap_or_default()
    ))
}

fn items_of(operation: &str, json: &Value) -> Vec<String> {
    let table = &json["TableName"];
    match operation {
        "PutItem" => item_id(table, &json["Item"]).into_iter().collect(),
        "UpdateItem" | "DeleteItem" => item_id(table, &json["Key"]).into_iter().collect(),
        "TransactWriteItems" => json["TransactItems"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|entry| {
                let (kind, op) = entry.as_object()?.iter().next()?;
                let key = match kind.as_str() {
                    "Put" => &op["Item"],
                    "Update" | "Delete" => &op["Key"],
                    _ => return None,
                };
                item_id(&op["TableName"], key)
            })
            .collect(),
        "BatchWriteItem" => json["RequestItems"]
            .as_object()
            .into_iter()
            .flatten()
            .flat_map(|(table, requests)| {
                let table = Value::String(table.clone());
                requests
                    .as_array()
                    .into_iter()
                    .flatten()
                    .filter_map(|r| {
                        let key = r
                            .get("PutRequest")
                            .map(|p| &p["Item"])
                            .or_else(|| r.get("DeleteRequest").map(|d| &d["Key"]))?;
                        item_id(&table, key)
                    })
                    .collect::<Vec<_>>()
            })
            .collect(),
        _ => Vec::new(),
    }
}

/// What DynamoDB answers a throttled request (JSON 1.0 protocol).
fn throttling_exception() -> HttpResponse {
    let body = r#"{"__type":"com.amazonaws.dynamodb.v20120810#ThrottlingException","message":"Rate of requests exceeds the allowed throughput."}"#;
    let mut response = HttpResponse::new(
        StatusCode::try_from(400).expect("400 is a status"),
        SdkBody::from(body),
    );
    response
        .headers_mut()
        .insert("content-type", "application/x-amz-json-1.0");
    response
        .headers_mut()
        .insert("x-amzn-requestid", "throttle-sim");
    response
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn writes_are_named_by_table_and_key_and_reads_are_not() {
        let update =
            json!({"TableName": "t", "Key": {"pk": {"S": "CODE#x"}, "sk": {"S": "#CODE"}}});
        assert_eq!(items_of("UpdateItem", &update), vec!["t CODE#x #CODE"]);
        assert!(items_of("GetItem", &update).is_empty());
        let tx = json!({"TransactItems": [
            {"Put": {"TableName": "t", "Item": {"pk": {"S": "A"}, "sk": {"S": "1"}, "x": {"N": "1"}}}},
            {"ConditionCheck": {"TableName": "t", "Key": {"pk": {"S": "B"}, "sk": {"S": "1"}}}},
            {"Update": {"TableName": "t", "Key": {"pk": {"S": "C"}, "sk": {"S": "1"}}}}
        ]});
        assert_eq!(items_of("TransactWriteItems", &tx), vec!["t A 1", "t C 1"]);
        let batch = json!({"RequestItems": {"t": [
            {"PutRequest": {"Item": {"pk": {"S": "D"}, "sk": {"S": "2"}}}},
            {"DeleteRequest": {"Key": {"pk": {"S": "E"}, "sk": {"S": "3"}}}}
        ]}});
        assert_eq!(items_of("BatchWriteItem", &batch), vec!["t D 2", "t E 3"]);
    }

    #[test]
    fn an_item_takes_the_limit_per_second_and_no_more() {
        let limiter = ItemLimiter::new(3);
        let t0 = Instant::now();
        let hot = vec!["t A 1".to_string()];
        for _ in 0..3 {
            assert!(limiter.admit(&hot, t0));
        }
        assert!(!limiter.admit(&hot, t0 + Duration::from_millis(500)));
        // Another item is not affected; a transaction touching the hot one is refused whole.
        assert!(limiter.admit(&["t B 1".to_string()], t0));
        assert!(!limiter.admit(&["t B 1".to_string(), hot[0].clone()], t0));
        assert_eq!(limiter.admitted_with_prefix("B"), 1);
        // A second later the window has moved on.
        assert!(limiter.admit(&hot, t0 + Duration::from_millis(1000)));
        assert_eq!(limiter.throttled(), 2);
        assert_eq!(limiter.hottest(), Some(("t A 1".to_string(), 4)));
    }
}
