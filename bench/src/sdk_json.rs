//! DynamoDB's JSON request form → the SDK's types, for replaying recorded requests
//! ([`crate::sdk_replay`]).

use aws_sdk_dynamodb::types::{
    AttributeValue, ConditionCheck, Delete, Put, TransactWriteItem, Update,
};
use serde_json::Value;
use std::collections::HashMap;

pub type Item = HashMap<String, AttributeValue>;

/// DynamoDB's JSON form of an attribute value → the SDK's.
pub fn av(v: &Value) -> AttributeValue {
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

pub fn strings(v: &Value) -> Vec<String> {
    v.as_array()
        .into_iter()
        .flatten()
        .filter_map(|s| s.as_str().map(String::from))
        .collect()
}

pub fn item(v: &Value) -> Item {
    v.as_object()
        .into_iter()
        .flatten()
        .map(|(k, v)| (k.clone(), av(v)))
        .collect()
}

pub fn opt_item(v: &Value, key: &str) -> Option<Item> {
    v.get(key).map(item)
}

pub fn names(v: &Value) -> Option<HashMap<String, String>> {
    v.get("ExpressionAttributeNames")
        .and_then(Value::as_object)
        .map(|o| {
            o.iter()
                .map(|(k, v)| (k.clone(), v.as_str().unwrap_or_default().to_string()))
                .collect()
        })
}

pub fn values(v: &Value) -> Option<Item> {
    opt_item(v, "ExpressionAttributeValues")
}

pub fn text(v: &Value, key: &str) -> Option<String> {
    v.get(key).and_then(Value::as_str).map(String::from)
}

pub fn transact_item(v: &Value) -> TransactWriteItem {
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
