//! Small builders for transaction items (every attribute through `#names`).

use aws_sdk_dynamodb::types::{AttributeValue, ConditionCheck, TransactWriteItem, Update};
use canopy_shared::adapters::dynamo::{self, StoreError};
use canopy_shared::conversations::Expr;
use std::collections::HashMap;

pub fn update(
    table: &str,
    key: dynamo::Item,
    set: &str,
    e: &Expr,
) -> Result<TransactWriteItem, StoreError> {
    let u = Update::builder()
        .table_name(table)
        .set_key(Some(key))
        .update_expression(set)
        .set_condition_expression((!e.text.is_empty()).then(|| e.text.clone()))
        .set_expression_attribute_names(e.names_opt())
        .set_expression_attribute_values(e.values_opt())
        .build()
        .map_err(|err| StoreError::Other(err.to_string()))?;
    Ok(TransactWriteItem::builder().update(u).build())
}

pub fn exists(table: &str, key: dynamo::Item) -> Result<TransactWriteItem, StoreError> {
    let c = ConditionCheck::builder()
        .table_name(table)
        .set_key(Some(key))
        .condition_expression("attribute_exists(#pk)")
        .set_expression_attribute_names(Some(HashMap::from([(
            "#pk".to_string(),
            "pk".to_string(),
        )])))
        .build()
        .map_err(|err| StoreError::Other(err.to_string()))?;
    Ok(TransactWriteItem::builder().condition_check(c).build())
}

pub fn av<T: serde::Serialize>(value: &T) -> Result<AttributeValue, StoreError> {
    serde_dynamo::to_attribute_value(value).map_err(|e| StoreError::Corrupt(e.to_string()))
}

/// Sends a transaction, retrying `TransactionConflict` with jitter (bounded).
pub async fn send(
    app: &canopy_shared::App,
    items: Vec<TransactWriteItem>,
) -> Result<(), StoreError> {
    dynamo::with_conflict_retry(|| {
        let items = items.clone();
        async move {
            app.db
                .transact_write_items()
                .set_transact_items(Some(items))
                .send()
                .await
                .map(|_| ())
                .map_err(StoreError::from)
        }
    })
    .await
}
