//! Sessions: `SESSION#sha256` / `#SESSION`, listed per account on GSI1 `ACCT#a` /
//! `SESSION#…` (the session list, ending one, revocation).

use super::get_item;
use crate::access::sessions::Session;
use crate::adapters::dynamo::{from_items, key, keys, n, s, Dynamo, Expr, StoreError, Tx};
use crate::domain::ids::{AccountId, OrgId};
use crate::domain::role::Role;
use crate::ports::access::{SessionStore, SessionUse};
use async_trait::async_trait;
use aws_sdk_dynamodb::types::{DeleteRequest, WriteRequest};
use serde::{Deserialize, Serialize};

/// The slot of a session created by [`put_session`].
pub const SESSION_SLOT: &str = "session";

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SessionItem {
    pub pk: String,
    pub sk: String,
    pub gsi1pk: String,
    pub gsi1sk: String,
    pub account_id: AccountId,
    pub role: Role,
    pub org_id: Option<OrgId>,
    pub created_at: i64,
    pub expires_at: i64,
    pub ttl: i64,
    /// Absent on sessions made before uses were recorded (then: `created_at`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_used_at: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_agent: Option<String>,
}

impl SessionItem {
    pub fn new(session: &Session) -> Self {
        Self {
            pk: keys::session_pk(&session.token_hash),
            sk: keys::SESSION_SK.into(),
            gsi1pk: keys::account_pk(&session.account_id),
            gsi1sk: keys::session_gsi_sk(&session.token_hash),
            account_id: session.account_id,
            role: session.role,
            org_id: session.org_id,
            created_at: session.created_at,
            expires_at: session.expires_at,
            ttl: session.expires_at / 1000,
            last_used_at: Some(session.last_used_at),
            user_agent: session.user_agent.clone(),
        }
    }

    pub(crate) fn into_session(self, token_hash: &str) -> Session {
        Session {
            token_hash: token_hash.to_string(),
            account_id: self.account_id,
            role: self.role,
            org_id: self.org_id,
            created_at: self.created_at,
            last_used_at: self.last_used_at.unwrap_or(self.created_at),
            expires_at: self.expires_at,
            user_agent: self.user_agent,
        }
    }

    /// The session of an item listed by account (its hash is in its key).
    fn listed(self) -> Option<Session> {
        let hash = self.pk.strip_prefix("SESSION#")?.to_string();
        Some(self.into_session(&hash))
    }
}

/// Adds the new session to `tx` (slot [`SESSION_SLOT`]), so it exists only if the sign-in
/// that made it commits.
pub fn put_session(tx: &mut Tx, session: &Session) -> Result<(), StoreError> {
    tx.put_new(SESSION_SLOT, &SessionItem::new(session))?;
    Ok(())
}

pub(super) fn session_key(token_hash: &str) -> crate::adapters::dynamo::Item {
    key(keys::session_pk(token_hash), keys::SESSION_SK)
}

#[async_trait]
impl SessionUse for Dynamo {
    async fn touch_session(
        &self,
        token_hash: &str,
        last_used_at: i64,
        expires_at: i64,
    ) -> Result<bool, StoreError> {
        let mut e = Expr::default();
        e.name("#pk", "pk")
            .name("#used", "last_used_at")
            .name("#exp", "expires_at")
            .name("#ttl", "ttl")
            .value(":used", n(last_used_at))
            .value(":exp", n(expires_at))
            .value(":ttl", n(expires_at / 1000))
            .and("attribute_exists(#pk)");
        let touched = self
            .client()
            .update_item()
            .table_name(self.table())
            .set_key(Some(session_key(token_hash)))
            .update_expression("SET #used = :used, #exp = :exp, #ttl = :ttl")
            .set_condition_expression(e.text_opt())
            .set_expression_attribute_names(e.names_opt())
            .set_expression_attribute_values(e.values_opt())
            .send()
            .await
            .map_err(StoreError::from);
        match touched {
            Ok(_) => Ok(true),
            Err(StoreError::ConditionFailed) => Ok(false),
            Err(other) => Err(other),
        }
    }

    /// GSI1 `ACCT#a` / `begins_with SESSION#`, every page.
    async fn account_sessions(&self, account: &AccountId) -> Result<Vec<Session>, StoreError> {
        let mut sessions = Vec::new();
        let mut start = None;
        loop {
            let page = self
                .client()
                .query()
                .table_name(self.table())
                .index_name(keys::GSI1)
                .key_condition_expression("#gpk = :a AND begins_with(#gsk, :s)")
                .expression_attribute_names("#gpk", "gsi1pk")
                .expression_attribute_names("#gsk", "gsi1sk")
                .expression_attribute_values(":a", s(keys::account_pk(account)))
                .expression_attribute_values(":s", s(keys::SESSION_GSI_PREFIX))
                .set_exclusive_start_key(start)
                .send()
                .await?;
            let items: Vec<SessionItem> = from_items(page.items.unwrap_or_default())?;
            sessions.extend(
                items
                    .into_iter()
                    .filter(|i| i.account_id == *account)
                    .filter_map(SessionItem::listed),
            );
            start = page.last_evaluated_key;
            if start.is_none() {
                return Ok(sessions);
            }
        }
    }

    async fn end_session(&self, account: &AccountId, token_hash: &str) -> Result<bool, StoreError> {
        let mut e = Expr::default();
        e.name("#acct", "account_id")
            .value(":acct", s(account.to_string()))
            .and("#acct = :acct");
        let ended = self
            .client()
            .delete_item()
            .table_name(self.table())
            .set_key(Some(session_key(token_hash)))
            .set_condition_expression(e.text_opt())
            .set_expression_attribute_names(e.names_opt())
            .set_expression_attribute_values(e.values_opt())
            .send()
            .await
            .map_err(StoreError::from);
        match ended {
            Ok(_) => Ok(true),
            Err(StoreError::ConditionFailed) => Ok(false),
            Err(other) => Err(other),
        }
    }

    async fn set_user_agent(&self, token_hash: &str, user_agent: &str) -> Result<(), StoreError> {
        let mut e = Expr::default();
        e.name("#pk", "pk")
            .name("#ua", "user_agent")
            .value(":ua", s(user_agent))
            .and("attribute_exists(#pk)");
        let set = self
            .client()
            .update_item()
            .table_name(self.table())
            .set_key(Some(session_key(token_hash)))
            .update_expression("SET #ua = :ua")
            .set_condition_expression(e.text_opt())
            .set_expression_attribute_names(e.names_opt())
            .set_expression_attribute_values(e.values_opt())
            .send()
            .await
            .map_err(StoreError::from);
        match set {
            Ok(_) | Err(StoreError::ConditionFailed) => Ok(()),
            Err(other) => Err(other),
        }
    }
}

#[async_trait]
impl SessionStore for Dynamo {
    async fn session(&self, token_hash: &str) -> Result<Option<Session>, StoreError> {
        let item: Option<SessionItem> =
            get_item(self, keys::session_pk(token_hash), keys::SESSION_SK, true).await?;
        Ok(item.map(|i| i.into_session(token_hash)))
    }

    /// One GSI1 `Query` per page of the account's sessions, then `BatchWriteItem` deletes
    /// of 25 (unprocessed ones retried a few times).
    async fn revoke_sessions(&self, account: &AccountId) -> Result<usize, StoreError> {
        let mut revoked = 0;
        let mut start = None;
        loop {
            let page = self
                .client()
                .query()
                .table_name(self.table())
                .index_name(keys::GSI1)
                .key_condition_expression("#gpk = :a AND begins_with(#gsk, :s)")
                .expression_attribute_names("#gpk", "gsi1pk")
                .expression_attribute_names("#gsk", "gsi1sk")
                .expression_attribute_names("#pk", "pk")
                .expression_attribute_names("#sk", "sk")
                .expression_attribute_values(":a", s(keys::account_pk(account)))
                .expression_attribute_values(":s", s(keys::SESSION_GSI_PREFIX))
                .projection_expression("#pk, #sk")
                .set_exclusive_start_key(start)
                .send()
                .await?;
            let deletes: Vec<WriteRequest> = page
                .items()
                .iter()
                .filter_map(|item| {
                    let key = [("pk", item.get("pk")?), ("sk", item.get("sk")?)]
                        .into_iter()
                        .map(|(k, v)| (k.to_string(), v.clone()))
                        .collect();
                    let delete = DeleteRequest::builder().set_key(Some(key)).build().ok()?;
                    Some(WriteRequest::builder().delete_request(delete).build())
                })
                .collect();
            for chunk in deletes.chunks(25) {
                let mut pending = chunk.to_vec();
                for _ in 0..5 {
                    let out = self
                        .client()
                        .batch_write_item()
                        .request_items(self.table(), pending.clone())
                        .send()
                        .await?;
                    let left = out
                        .unprocessed_items
                        .and_then(|mut u| u.remove(self.table()))
                        .unwrap_or_default();
                    revoked += pending.len() - left.len();
                    if left.is_empty() {
                        break;
                    }
                    pending = left;
                }
            }
            start = page.last_evaluated_key;
            if start.is_none() {
                return Ok(revoked);
            }
        }
    }
}
