//! The due indexes on GSI3: sparse partitions (`REMIND#DUE` for unread reminders,
//! `SEND#DUE` for queued standard messages) whose sort keys start with the time an item
//! falls due (`<due_ms:013>#…`), so what is due by now is one Query, oldest first.

use super::{keys, s, Dynamo, Item, StoreError};

/// Up to `limit` items of the due partition `pk` that fell due at or before `now_ms`.
pub async fn due_items(
    store: &Dynamo,
    pk: &str,
    now_ms: i64,
    limit: i32,
) -> Result<Vec<Item>, StoreError> {
    let out = store
        .client()
        .query()
        .table_name(store.table())
        .index_name(keys::GSI3)
        .key_condition_expression("#pk = :pk AND #sk <= :until")
        .expression_attribute_names("#pk", "gsi3pk")
        .expression_attribute_names("#sk", "gsi3sk")
        .expression_attribute_values(":pk", s(pk))
        .expression_attribute_values(":until", s(keys::due_until(now_ms)))
        .limit(limit)
        .send()
        .await?;
    Ok(out.items.unwrap_or_default())
}
