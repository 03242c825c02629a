//! Replays a recorded DynamoDB request through the SDK: the recorded JSON body is turned
//! back into the same operation's SDK call (same table, keys, expressions, names and
//! values). This is the floor the issue asks for: "the exact DynamoDB calls that route
//! needs, issued directly with the SDK".

use aws_sdk_dynamodb::types::{
    AttributeValue, ConditionCheck, Delete, KeysAndAttributes, Put, ReturnValue, Select,
    TransactWriteItem, Update,
};
use aws_sdk_dynamodb::Client;
use serde_json::Value;
use std::collections::HashMap;

type Item = HashMap<String, AttributeValue>;

/// DynamoDB's JSON form of an attribute value → the SDK's.
fn av(v: &Value) -> AttributeValue {
    let (kind, inner) = v
        .as_object()
        .and_then(|o| o.iter().next())
        .expect("typed attribute value");
    match kind.as_str() {
        "S" => AttributeValue::S(inner.as_str().unwrap_or_default().into()),
        "N" => AttributeValue::N(inner.as_str().unwrap_or_default().into()),
        "BOOL" => AttributeValue::Bool(inner.as_bool().unwrap_or_default()),
        "NULL" => AttributeValue::Null(true),
        "L" => AttributeValue::L(inner.as_array().into_iter().flatten().map(av).collect()),
        "M" => AttributeValue::M(item(inner)),
        "SS" => AttributeValue::Ss(strings(inner)),
        "NS" => AttributeValue::Ns(strings(inner)),
        other => panic!("attribute type {other} is not replayed"),
    }
}

fn strings(v: &Value) -> Vec<String> {
    v.as_array()
        .into_iter()
        .flatten()
        .filter_map(|s| s.as_str().map(String::from))
        .collect()
}

fn item(v: &Value) -> Item {
    v.as_object()
        .into_iter()
        .flatten()
        .map(|(k, v)| (k.clone(), av(v)))
        .collect()
}

fn opt_item(v: &Value, key: &str) -> Option<Item> {
    v.get(key).map(item)
}

fn names(v: &Value) -> Option<HashMap<String, String>> {
    v.get("ExpressionAttributeNames")
        .and_then(Value::as_object)
        .map(|o| {
            o.iter()
                .map(|(k, v)| (k.clone(), v.as_str().unwrap_or_default().to_string()))
                .collect()
        })
}

fn values(v: &Value) -> Option<Item> {
    opt_item(v, "ExpressionAttributeValues")
}

fn text(v: &Value, key: &str) -> Option<String> {
    v.get(key).and_then(Value::as_str).map(String::from)
}

fn transact_item(v: &Value) -> TransactWriteItem {
    let builder = TransactWriteItem::builder();
    if let Some(p) = v.get("Put") {
        let put = Put::builder()
            .set_table_name(text(p, "TableName"))
            .set_item(opt_item(p, "Item"))
            .set_condition_expression(text(p, "ConditionExpression"))
            .set_expression_attribute_names(names(p))
            .set_expression_attribute_values(values(p))
            .build()
            .expect("put");
        return builder.put(put).build();
    }
    if let Some(u) = v.get("Update") {
        let update = Update::builder()
            .set_table_name(text(u, "TableName"))
            .set_key(opt_item(u, "Key"))
            .set_update_expression(text(u, "UpdateExpression"))
            .set_condition_expression(text(u, "ConditionExpression"))
            .set_expression_attribute_names(names(u))
            .set_expression_attribute_values(values(u))
            .build()
            .expect("update");
        return builder.update(update).build();
    }
    if let Some(c) = v.get("ConditionCheck") {
        let check = ConditionCheck::builder()
            .set_table_name(text(c, "TableName"))
            .set_key(opt_item(c, "Key"))
            .set_condition_expression(text(c, "ConditionExpression"))
            .set_expression_attribute_names(names(c))
            .set_expression_attribute_values(values(c))
            .build()
            .expect("condition check");
        return builder.condition_check(check).build();
    }
    let d = v.get("Delete").expect("a transaction item");
    let delete = Delete::builder()
        .set_table_name(text(d, "TableName"))
        .set_key(opt_item(d, "Key"))
        .set_condition_expression(text(d, "ConditionExpression"))
        .set_expression_attribute_names(names(d))
        .set_expression_attribute_values(values(d))
        .build()
        .expect("delete");
    builder.delete(delete).build()
}

/// Sends one recorded request (`target` is the `X-Amz-Target` operation) through `db`;
/// panics when DynamoDB refuses it.
pub async fn send(db: &Client, target: &str, body: &str) {
    if let Err(e) = try_send(db, target, body).await {
        panic!("SDK replay of {target} failed: {e}");
    }
}

/// Like [`send`], with DynamoDB's refusal as the error.
pub async fn try_send(db: &Client, target: &str, body: &str) -> Result<(), String> {
    let v: Value = serde_json::from_str(body).expect("recorded body");
    let op = target.rsplit('.').next().unwrap_or(target);
    let outcome = match op {
        "GetItem" => db
            .get_item()
            .set_table_name(text(&v, "TableName"))
            .set_key(opt_item(&v, "Key"))
            .set_consistent_read(v.get("ConsistentRead").and_then(Value::as_bool))
            .set_projection_expression(text(&v, "ProjectionExpression"))
            .set_expression_attribute_names(names(&v))
            .send()
            .await
            .map(|_| ())
            .map_err(|e| format!("{e:?}")),
        "Query" => db
            .query()
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
            .set_select(text(&v, "Select").map(|s| Select::from(s.as_str())))
            .send()
            .await
            .map(|_| ())
            .map_err(|e| format!("{e:?}")),
        "PutItem" => db
            .put_item()
            .set_table_name(text(&v, "TableName"))
            .set_item(opt_item(&v, "Item"))
            .set_condition_expression(text(&v, "ConditionExpression"))
            .set_expression_attribute_names(names(&v))
            .set_expression_attribute_values(values(&v))
            .send()
            .await
            .map(|_| ())
            .map_err(|e| format!("{e:?}")),
        "UpdateItem" => db
            .update_item()
            .set_table_name(text(&v, "TableName"))
            .set_key(opt_item(&v, "Key"))
            .set_update_expression(text(&v, "UpdateExpression"))
            .set_condition_expression(text(&v, "ConditionExpression"))
            .set_expression_attribute_names(names(&v))
            .set_expression_attribute_values(values(&v))
            .set_return_values(text(&v, "ReturnValues").map(|r| ReturnValue::from(r.as_str())))
            .send()
            .await
            .map(|_| ())
            .map_err(|e| format!("{e:?}")),
        "TransactWriteItems" => db
            .transact_write_items()
            .set_transact_items(Some(
                v["TransactItems"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .map(transact_item)
                    .collect(),
            ))
            .send()
            .await
            .map(|_| ())
            .map_err(|e| format!("{e:?}")),
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
            request
                .send()
                .await
                .map(|_| ())
                .map_err(|e| format!("{e:?}"))
        }
        other => panic!("operation {other} is not replayed"),
    };
    outcome
}

/// A recorded item (DynamoDB's JSON form) as the SDK's, for seeding copies of it.
pub fn item_from_json(v: &Value) -> Item {
    item(v)
}
