//! The DynamoDB adapter: one table, items (de)serialised with `serde_dynamo`, key builders
//! in [`keys`], page cursors in [`cursor`], and one error type that says what the caller can
//! do about a failure (see [`StoreError`]).

pub mod access;
pub mod attachments;
pub mod channel_pool;
mod conditional;
pub mod contacts;
pub mod conversations;
pub mod cursor;
pub mod devices;
pub mod due_index;
pub mod expr;
pub mod invites;
pub mod keys;
pub mod link_clicks;
pub mod links;
pub mod notify;
pub mod practice;
pub mod retry;
pub mod standard;
pub mod standard_inbound;
pub mod standard_start;
pub mod sync;
pub mod tx;

pub use expr::Expr;
pub use retry::with_conflict_retry;
pub use tx::{Tx, TxError};

use aws_sdk_dynamodb::error::{ProvideErrorMetadata, SdkError};
use aws_sdk_dynamodb::types::AttributeValue;
use serde::de::DeserializeOwned;
use serde::Serialize;
use std::collections::HashMap;
use std::time::Duration;

pub type Item = HashMap<String, AttributeValue>;

/// The single table: the SDK client and the table's name. The client is reachable only
/// inside the adapters (`client()` is crate-private); everything else goes through the
/// store ports (`crate::ports`) that this type implements, one small trait per aggregate.
#[derive(Clone, Debug)]
pub struct Dynamo {
    client: aws_sdk_dynamodb::Client,
    table: String,
}

impl Dynamo {
    pub fn new(client: aws_sdk_dynamodb::Client, table: impl Into<String>) -> Self {
        Self {
            client,
            table: table.into(),
        }
    }

    pub fn table(&self) -> &str {
        &self.table
    }

    pub(crate) fn client(&self) -> &aws_sdk_dynamodb::Client {
        &self.client
    }
}

/// What went wrong talking to DynamoDB, in the terms a use case decides on.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum StoreError {
    /// A single-item condition failed.
    #[error("condition failed")]
    ConditionFailed,
    /// A transaction was cancelled; one reason code per item, in request order
    /// (`None`, `ConditionalCheckFailed`, …).
    #[error("transaction cancelled: {0:?}")]
    Cancelled(Vec<String>),
    /// A transaction conflicted with another in flight even after retries.
    #[error("transaction conflict")]
    Conflict,
    /// Throttled, timed out or unreachable after the SDK's bounded retries: answer 503.
    #[error("dynamodb unavailable")]
    Unavailable,
    /// The caller's proof refused the request's transaction (`access::proof`): the session
    /// is gone, expired, not the claimed caller's, or its hourly use is due to be
    /// recorded; for staff also the membership or the practice's access version changed;
    /// or the proof's shared items were contended (`Dynamo::commit_proven`). The caller
    /// is then read and the route runs once more.
    #[error("the caller's session refused the transaction")]
    SessionRefused,
    /// An item did not have the shape we wrote: a bug or a corrupted item.
    #[error("item has an unexpected shape: {0}")]
    Corrupt(String),
    /// Anything else (a malformed request is our bug).
    #[error("dynamodb error: {0}")]
    Other(String),
}

impl StoreError {
    /// For a cancelled transaction: whether the item at `index` failed its condition.
    pub fn failed_at(&self, index: usize) -> bool {
        matches!(self, StoreError::Cancelled(reasons)
            if reasons.get(index).is_some_and(|r| r == "ConditionalCheckFailed"))
    }

    pub fn is_condition_failure(&self) -> bool {
        matches!(self, StoreError::ConditionFailed | StoreError::Cancelled(_))
    }
}

impl<E, R> From<SdkError<E, R>> for StoreError
where
    E: ProvideErrorMetadata + std::error::Error + 'static,
    R: std::fmt::Debug,
{
    fn from(err: SdkError<E, R>) -> Self {
        match &err {
            SdkError::TimeoutError(_)
            | SdkError::DispatchFailure(_)
            | SdkError::ResponseError(_) => StoreError::Unavailable,
            SdkError::ServiceError(service) => {
                let e = service.err();
                match e.code() {
                    Some("ConditionalCheckFailedException") => StoreError::ConditionFailed,
                    Some("TransactionCanceledException") => {
                        let reasons = parse_cancellation_reasons(e.message().unwrap_or(""));
                        if reasons.iter().any(|r| r == "TransactionConflict") {
                            StoreError::Conflict
                        } else if reasons
                            .iter()
                            .any(|r| r == "ThrottlingError" || r == "ProvisionedThroughputExceeded")
                        {
                            StoreError::Unavailable
                        } else {
                            StoreError::Cancelled(reasons)
                        }
                    }
                    Some("TransactionConflictException") => StoreError::Conflict,
                    Some(
                        "ProvisionedThroughputExceededException"
                        | "ThrottlingException"
                        | "RequestLimitExceeded"
                        | "InternalServerError"
                        | "ServiceUnavailable",
                    ) => StoreError::Unavailable,
                    code => StoreError::Other(format!(
                        "{} {}",
                        code.unwrap_or("?"),
                        e.message().unwrap_or("")
                    )),
                }
            }
            _ => StoreError::Other(format!("{err:?}")),
        }
    }
}

/// DynamoDB's message lists the reasons as `[None, ConditionalCheckFailed, …]`; the typed
/// `cancellation_reasons` field is only on the typed error, so we read the message, which
/// every DynamoDB (and DynamoDB Local) writes in this form.
fn parse_cancellation_reasons(message: &str) -> Vec<String> {
    let Some(start) = message.find('[') else {
        return vec![];
    };
    let Some(end) = message[start..].find(']') else {
        return vec![];
    };
    message[start + 1..start + end]
        .split(',')
        .map(|r| r.trim().to_string())
        .collect()
}

pub fn s(value: impl Into<String>) -> AttributeValue {
    AttributeValue::S(value.into())
}

pub fn n(value: impl ToString) -> AttributeValue {
    AttributeValue::N(value.to_string())
}

pub fn bool_av(value: bool) -> AttributeValue {
    AttributeValue::Bool(value)
}

/// `{pk, sk}` for GetItem/UpdateItem/DeleteItem.
pub fn key(pk: impl Into<String>, sk: impl Into<String>) -> Item {
    HashMap::from([("pk".to_string(), s(pk)), ("sk".to_string(), s(sk))])
}

pub fn to_item<T: Serialize>(value: &T) -> Result<Item, StoreError> {
    serde_dynamo::to_item(value).map_err(|e| StoreError::Corrupt(e.to_string()))
}

/// One value as an attribute (lists and maps in update expressions).
pub fn to_attribute<T: Serialize>(value: &T) -> Result<AttributeValue, StoreError> {
    serde_dynamo::to_attribute_value(value).map_err(|e| StoreError::Corrupt(e.to_string()))
}

pub fn from_item<T: DeserializeOwned>(item: Item) -> Result<T, StoreError> {
    serde_dynamo::from_item(item).map_err(|e| StoreError::Corrupt(e.to_string()))
}

pub fn from_items<T: DeserializeOwned>(items: Vec<Item>) -> Result<Vec<T>, StoreError> {
    items.into_iter().map(from_item).collect()
}

/// Reads a string attribute of a raw item.
pub fn get_s<'a>(item: &'a Item, name: &str) -> Option<&'a str> {
    item.get(name)
        .and_then(|v| v.as_s().ok())
        .map(String::as_str)
}

/// Reads a number attribute of a raw item.
pub fn get_n(item: &Item, name: &str) -> Option<i64> {
    item.get(name)
        .and_then(|v| v.as_n().ok())
        .and_then(|n| n.parse().ok())
}

/// Every item a Query returns, following its pages (for small, bounded lists: a practice's
/// team or links), deserialised into `T`.
pub async fn query_all<T: DeserializeOwned>(
    query: aws_sdk_dynamodb::operation::query::builders::QueryFluentBuilder,
) -> Result<Vec<T>, StoreError> {
    let items: Vec<Item> = query
        .into_paginator()
        .items()
        .send()
        .collect::<Result<Vec<_>, _>>()
        .await?;
    from_items(items)
}

/// Every item found for `keys` (any order; missing keys are simply absent), in chunks of
/// BatchGetItem's 100 keys, retrying the keys DynamoDB leaves unprocessed under load a
/// bounded number of times (then `Unavailable`, never a silently short answer).
pub async fn batch_get(
    db: &aws_sdk_dynamodb::Client,
    table: &str,
    keys: Vec<Item>,
    consistent: bool,
) -> Result<Vec<Item>, StoreError> {
    let mut found = Vec::with_capacity(keys.len());
    for chunk in keys.chunks(100) {
        let mut pending = chunk.to_vec();
        for attempt in 0.. {
            if attempt == 5 {
                return Err(StoreError::Unavailable);
            }
            let request = aws_sdk_dynamodb::types::KeysAndAttributes::builder()
                .set_keys(Some(pending))
                .consistent_read(consistent)
                .build()
                .map_err(|e| StoreError::Other(e.to_string()))?;
            let out = db
                .batch_get_item()
                .request_items(table, request)
                .send()
                .await?;
            found.extend(
                out.responses
                    .and_then(|mut r| r.remove(table))
                    .unwrap_or_default(),
            );
            pending = out
                .unprocessed_keys
                .and_then(|mut u| u.remove(table))
                .map(|k| k.keys)
                .unwrap_or_default();
            if pending.is_empty() {
                break;
            }
            tokio::time::sleep(Duration::from_millis(10 << attempt)).await;
        }
    }
    Ok(found)
}

/// Builds a transaction item for a Put.
pub fn put(
    table: &str,
    item: Item,
    condition: Option<&str>,
) -> Result<aws_sdk_dynamodb::types::TransactWriteItem, StoreError> {
    let put = aws_sdk_dynamodb::types::Put::builder()
        .table_name(table)
        .set_item(Some(item))
        .set_condition_expression(condition.map(str::to_string))
        .build()
        .map_err(|e| StoreError::Other(e.to_string()))?;
    Ok(aws_sdk_dynamodb::types::TransactWriteItem::builder()
        .put(put)
        .build())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_cancellation_reasons_from_the_message() {
        let msg = "Transaction cancelled, please refer cancellation reasons for specific reasons [None, ConditionalCheckFailed, None]";
        assert_eq!(
            parse_cancellation_reasons(msg),
            vec!["None", "ConditionalCheckFailed", "None"]
        );
        assert!(StoreError::Cancelled(parse_cancellation_reasons(msg)).failed_at(1));
        assert!(!StoreError::Cancelled(parse_cancellation_reasons(msg)).failed_at(0));
        assert!(parse_cancellation_reasons("no list").is_empty());
    }
}
