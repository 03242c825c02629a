//! `Idempotency-Key` records: `IDEMKEY#caller#key` / `#IDEMKEY`, state `pending` until the
//! request's answer is stored (`done`), expiring after a day (TTL). A pending record carries
//! `in_progress_until` (epoch ms): past it, a claim takes the record over.

use super::get_item;
use crate::access::idempotency::{IdempotencyRecord, NewClaim, StoredAnswer};
use crate::adapters::dynamo::{key, keys, n, s, to_item, Dynamo, Expr, StoreError};
use crate::domain::ids::AccountId;
use crate::ports::access::IdempotencyStore;
use async_trait::async_trait;
use serde::{Deserialize, Serialize};

const PENDING: &str = "pending";
const DONE: &str = "done";

#[derive(Debug, Clone, Serialize, Deserialize)]
struct IdempotencyKeyItem {
    pk: String,
    sk: String,
    state: String,
    request_hash: String,
    ttl: i64,
    /// Until when the claiming request may still be running (epoch ms); absent on records
    /// written before claims expired, which are treated as expired.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    in_progress_until: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    status: Option<u16>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    body: Option<String>,
}

fn record_key(caller: &AccountId, idempotency_key: &str) -> crate::adapters::dynamo::Item {
    key(
        keys::idempotency_key_pk(caller, idempotency_key),
        keys::IDEMPOTENCY_KEY_SK,
    )
}

#[async_trait]
impl IdempotencyStore for Dynamo {
    async fn claim_key(
        &self,
        caller: &AccountId,
        idempotency_key: &str,
        claim: &NewClaim<'_>,
    ) -> Result<bool, StoreError> {
        let item = IdempotencyKeyItem {
            pk: keys::idempotency_key_pk(caller, idempotency_key),
            sk: keys::IDEMPOTENCY_KEY_SK.into(),
            state: PENDING.into(),
            request_hash: claim.request_hash.into(),
            ttl: claim.expires_at / 1000,
            in_progress_until: Some(claim.in_progress_until),
            status: None,
            body: None,
        };
        // Free, forgotten (past its TTL, not yet deleted), or a claim whose request can no
        // longer be running.
        let mut cond = Expr::default();
        cond.name("#pk", "pk")
            .name("#ttl", "ttl")
            .name("#state", "state")
            .name("#until", "in_progress_until")
            .value(":now_s", n(claim.now / 1000))
            .value(":now", n(claim.now))
            .value(":pending", s(PENDING))
            .and(
                "attribute_not_exists(#pk) OR #ttl < :now_s OR (#state = :pending AND \
                 (attribute_not_exists(#until) OR #until < :now))",
            );
        self.put_if(to_item(&item)?, cond).await
    }

    async fn key_record(
        &self,
        caller: &AccountId,
        idempotency_key: &str,
    ) -> Result<Option<IdempotencyRecord>, StoreError> {
        let item: Option<IdempotencyKeyItem> = get_item(
            self,
            keys::idempotency_key_pk(caller, idempotency_key),
            keys::IDEMPOTENCY_KEY_SK,
            true,
        )
        .await?;
        Ok(item.map(|i| IdempotencyRecord {
            answer: (i.state == DONE).then(|| StoredAnswer {
                status: i.status.unwrap_or(200),
                body: i.body.unwrap_or_default(),
            }),
            request_hash: i.request_hash,
        }))
    }

    async fn complete_key(
        &self,
        caller: &AccountId,
        idempotency_key: &str,
        answer: &StoredAnswer,
    ) -> Result<(), StoreError> {
        let mut update = Expr::default();
        update
            .name("#state", "state")
            .name("#status", "status")
            .name("#body", "body")
            .value(":done", s(DONE))
            .value(":status", n(answer.status))
            .value(":body", s(answer.body.clone()));
        self.client()
            .update_item()
            .table_name(self.table())
            .set_key(Some(record_key(caller, idempotency_key)))
            .update_expression("SET #state = :done, #status = :status, #body = :body")
            .set_expression_attribute_names(update.names_opt())
            .set_expression_attribute_values(update.values_opt())
            .send()
            .await?;
        Ok(())
    }

    async fn release_key(
        &self,
        caller: &AccountId,
        idempotency_key: &str,
    ) -> Result<(), StoreError> {
        self.client()
            .delete_item()
            .table_name(self.table())
            .set_key(Some(record_key(caller, idempotency_key)))
            .send()
            .await?;
        Ok(())
    }
}
