//! Replays a recorded DynamoDB request through the SDK: the recorded JSON body is turned
//! back into the same operation's SDK call (same table, keys, expressions, names and
//! values). This is the floor the issue asks for: "the exact DynamoDB calls that route
//! needs, issued directly with the SDK".
//!
//! [`prepare`] does the JSON → SDK input work once, before any timing; [`Prepared::send`]
//! is then what a handler's store call is: the SDK input built and sent.

use crate::sdk_json::{item, names, opt_item, text, transact_item, values, Item};
use aws_sdk_dynamodb::operation::batch_get_item::builders::BatchGetItemFluentBuilder;
use aws_sdk_dynamodb::operation::get_item::builders::GetItemFluentBuilder;
use aws_sdk_dynamodb::operation::put_item::builders::PutItemFluentBuilder;
use aws_sdk_dynamodb::operation::query::builders::QueryFluentBuilder;
use aws_sdk_dynamodb::operation::transact_write_items::builders::TransactWriteItemsFluentBuilder;
use aws_sdk_dynamodb::operation::update_item::builders::UpdateItemFluentBuilder;
use aws_sdk_dynamodb::types::{KeysAndAttributes, ReturnValue, Select};
use aws_sdk_dynamodb::Client;
use serde_json::Value;

/// One recorded request as the SDK call that sends it (cloned per send; a transaction's
/// `ClientRequestToken` is left to the SDK, which makes a new one per send).
#[derive(Clone)]
pub enum Prepared {
    Get(GetItemFluentBuilder),
    Query(QueryFluentBuilder),
    Put(PutItemFluentBuilder),
    Update(UpdateItemFluentBuilder),
    Transact(TransactWriteItemsFluentBuilder),
    BatchGet(BatchGetItemFluentBuilder),
}

/// The SDK call for one recorded request (`target` is the `X-Amz-Target` operation).
pub fn prepare(db: &Client, target: &str, body: &str) -> Prepared {
    let v: Value = serde_json::from_str(body).expect("recorded body");
    let op = target.rsplit('.').next().unwrap_or(target);
    match op {
        "GetItem" => Prepared::Get(
            db.get_item()
                .set_table_name(text(&v, "TableName"))
                .set_key(opt_item(&v, "Key"))
                .set_consistent_read(v.get("ConsistentRead").and_then(Value::as_bool))
                .set_projection_expression(text(&v, "ProjectionExpression"))
                .set_expression_attribute_names(names(&v)),
        ),
        "Query" => Prepared::Query(
            db.query()
                .set_table_name(text(&v, "TableName"))
                .set_index_name(text(&v, "IndexName"))
                .set_key_condition_expression(text(&v, "KeyConditionExpression"))
                .set_filter_expression(text(&v, "FilterExpression"))
                .set_projection_expression(text(&v, "ProjectionExpression"))
                .set_expression_attribute_names(names(&v))
                .set_expression_attribute_values(values(&v))
                .set_exclusive_start_key(opt_item(&v, "ExclusiveStartKey"))
                .set_limit(v.get("Limit").and_then(Value::as_i64).map(|l| l as i32))
                .set_scan_index_forward(v.get("ScanIndexForward").and_then(Value::as_bool))
                .set_consistent_read(v.get("ConsistentRead").and_then(Value::as_bool))
                .set_select(text(&v, "Select").map(|s| Select::from(s.as_str()))),
        ),
        "PutItem" => Prepared::Put(
            db.put_item()
                .set_table_name(text(&v, "TableName"))
                .set_item(opt_item(&v, "Item"))
                .set_condition_expression(text(&v, "ConditionExpression"))
                .set_expression_attribute_names(names(&v))
                .set_expression_attribute_values(values(&v)),
        ),
        "UpdateItem" => Prepared::Update(
            db.update_item()
                .set_table_name(text(&v, "TableName"))
                .set_key(opt_item(&v, "Key"))
                .set_update_expression(text(&v, "UpdateExpression"))
                .set_condition_expression(text(&v, "ConditionExpression"))
                .set_expression_attribute_names(names(&v))
                .set_expression_attribute_values(values(&v))
                .set_return_values(text(&v, "ReturnValues").map(|r| ReturnValue::from(r.as_str())))
                .set_return_values_on_condition_check_failure(
                    text(&v, "ReturnValuesOnConditionCheckFailure").map(|r| r.as_str().into()),
                ),
        ),
        "TransactWriteItems" => Prepared::Transact(
            db.transact_write_items().set_transact_items(Some(
                v["TransactItems"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .map(transact_item)
                    .collect(),
            )),
        ),
        "BatchGetItem" => {
            let mut request = db.batch_get_item();
            for (table, wanted) in v["RequestItems"].as_object().into_iter().flatten() {
                let keys = wanted["Keys"].as_array().into_iter().flatten().map(item);
                let ka = KeysAndAttributes::builder()
                    .set_keys(Some(keys.collect()))
                    .set_consistent_read(wanted.get("ConsistentRead").and_then(Value::as_bool))
                    .build()
                    .expect("keys and attributes");
                request = request.request_items(table, ka);
            }
            Prepared::BatchGet(request)
        }
        other => panic!("operation {other} is not replayed"),
    }
}

impl Prepared {
    /// Sends the call; DynamoDB's refusal as the error.
    pub async fn send(&self) -> Result<(), String> {
        fn done<T, E: std::fmt::Debug>(r: Result<T, E>) -> Result<(), String> {
            r.map(|_| ()).map_err(|e| format!("{e:?}"))
        }
        match self.clone() {
            Prepared::Get(b) => done(b.send().await),
            Prepared::Query(b) => done(b.send().await),
            Prepared::Put(b) => done(b.send().await),
            Prepared::Update(b) => done(b.send().await),
            Prepared::Transact(b) => done(b.send().await),
            Prepared::BatchGet(b) => done(b.send().await),
        }
    }
}

/// Sends one recorded request through `db`; DynamoDB's refusal as the error.
pub async fn try_send(db: &Client, target: &str, body: &str) -> Result<(), String> {
    prepare(db, target, body).send().await
}

/// A recorded item (DynamoDB's JSON form) as the SDK's, for seeding copies of it.
pub fn item_from_json(v: &Value) -> Item {
    item(v)
}
