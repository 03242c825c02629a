//! Fast seeding for the scale section: items a handler really wrote (recorded at the HTTP
//! layer), copied with their ids replaced and written straight to DynamoDB Local with
//! `BatchWriteItem` (25 items a call, several writers at once). Copies of real items keep
//! the shapes (keys, index attributes) exactly what the handlers read, with no second
//! description of the schema to drift from it.

use crate::recorder::Recorded;
use aws_sdk_dynamodb::types::{PutRequest, WriteRequest};
use aws_sdk_dynamodb::Client;
use serde_json::Value;
use std::time::Duration;

/// Writers at once: DynamoDB Local executes one request at a time, a few in flight keep
/// it busy without queueing past the SDK's timeouts.
const WRITERS: usize = 4;

/// Every item `recorded` put (a `PutItem`, or a `Put` inside `TransactWriteItems`) whose
/// key mentions `marker`: the items that belong to the thing `marker` names (not, say, an
/// audit event that only names it as its target).
pub fn puts_mentioning(recorded: &[Recorded], marker: &str) -> Vec<Value> {
    let mut items = Vec::new();
    for r in recorded {
        let Ok(body) = serde_json::from_str::<Value>(&r.body) else {
            continue;
        };
        match r.target().rsplit('.').next() {
            Some("PutItem") => items.push(body["Item"].clone()),
            Some("TransactWriteItems") => items.extend(
                body["TransactItems"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .filter_map(|t| t.get("Put").map(|p| p["Item"].clone())),
            ),
            _ => {}
        }
    }
    let keyed_by_marker = |i: &Value| {
        ["pk", "sk"]
            .iter()
            .any(|k| i[k].to_string().contains(marker))
    };
    items.retain(keyed_by_marker);
    items
}

/// `template` with every `(from, to)` replaced, in its JSON text (ids appear in keys,
/// index keys and attributes alike).
pub fn copy_of(template: &Value, replacements: &[(&str, &str)]) -> Value {
    let mut text = template.to_string();
    for (from, to) in replacements {
        text = text.replace(from, to);
    }
    serde_json::from_str(&text).expect("a copied item is JSON")
}

/// Writes `items` to `table`, 25 a call, `WRITERS` calls in flight; unprocessed items are
/// sent again. Returns the number of `BatchWriteItem` calls made.
pub async fn batch_write(db: &Client, table: &str, items: Vec<Value>) -> usize {
    let batches: Vec<Vec<Value>> = items.chunks(25).map(<[Value]>::to_vec).collect();
    let queue = std::sync::Arc::new(std::sync::Mutex::new(batches));
    let workers = (0..WRITERS).map(|_| {
        let (db, table, queue) = (db.clone(), table.to_string(), queue.clone());
        tokio::spawn(async move {
            let mut calls = 0;
            loop {
                let next = queue.lock().expect("queue").pop();
                let Some(batch) = next else { return calls };
                let mut pending: Vec<WriteRequest> = batch
                    .iter()
                    .map(|i| {
                        let put = PutRequest::builder()
                            .set_item(Some(crate::sdk_replay::item_from_json(i)))
                            .build()
                            .expect("put request");
                        WriteRequest::builder().put_request(put).build()
                    })
                    .collect();
                while !pending.is_empty() {
                    calls += 1;
                    let out = db
                        .batch_write_item()
                        .request_items(&table, pending)
                        .send()
                        .await
                        .unwrap_or_else(|e| panic!("seeding BatchWriteItem: {e:?}"));
                    pending = out
                        .unprocessed_items
                        .and_then(|mut u| u.remove(&table))
                        .unwrap_or_default();
                    if !pending.is_empty() {
                        tokio::time::sleep(Duration::from_millis(20)).await;
                    }
                }
            }
        })
    });
    futures::future::join_all(workers)
        .await
        .into_iter()
        .map(|r| r.expect("seeding writer"))
        .sum()
}
