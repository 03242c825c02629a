//! Single-item conditional writes whose refused condition is an answer, not an error:
//! `Ok(false)` when the condition failed (someone else claimed it first, the state moved
//! on), `Ok(true)` when written. Every adapter that claims, leases or moves a state
//! forward with one write goes through these.

use super::{Dynamo, Expr, Item, StoreError};

/// `Ok(true)` written, `Ok(false)` condition refused, otherwise the store's error.
fn applied<T, E>(result: Result<T, E>) -> Result<bool, StoreError>
where
    StoreError: From<E>,
{
    match result.map_err(StoreError::from) {
        Ok(_) => Ok(true),
        Err(StoreError::ConditionFailed) => Ok(false),
        Err(e) => Err(e),
    }
}

impl Dynamo {
    /// One conditional UpdateItem of `key`.
    pub(crate) async fn update_if(
        &self,
        key: Item,
        update: &str,
        e: Expr,
    ) -> Result<bool, StoreError> {
        applied(
            self.client()
                .update_item()
                .table_name(self.table())
                .set_key(Some(key))
                .update_expression(update)
                .set_condition_expression(e.text_opt())
                .set_expression_attribute_names(e.names_opt())
                .set_expression_attribute_values(e.values_opt())
                .send()
                .await,
        )
    }

    /// One conditional PutItem of `item`.
    pub(crate) async fn put_if(&self, item: Item, e: Expr) -> Result<bool, StoreError> {
        applied(
            self.client()
                .put_item()
                .table_name(self.table())
                .set_item(Some(item))
                .set_condition_expression(e.text_opt())
                .set_expression_attribute_names(e.names_opt())
                .set_expression_attribute_values(e.values_opt())
                .send()
                .await,
        )
    }
}
