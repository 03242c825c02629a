//! Bearer sessions: 256-bit random tokens, of which only the SHA-256 is stored; they expire
//! (checked on every use, not left to TTL) and are revoked by deleting their item.

use crate::adapters::dynamo::{self, keys, put, s, to_item, StoreError};
use crate::app::App;
use crate::domain::ids::{AccountId, OrgId};
use crate::domain::role::Role;
use crate::domain::secrets::{looks_like_token, new_token, token_hash};
use aws_sdk_dynamodb::types::{DeleteRequest, TransactWriteItem, WriteRequest};
use serde::{Deserialize, Serialize};

/// Staff sessions last a working day; patients stay signed in on their phone for 30 days.
pub const STAFF_SESSION_MS: i64 = 12 * 3600 * 1000;
pub const PATIENT_SESSION_MS: i64 = 30 * 24 * 3600 * 1000;

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
}

/// A new session: the plaintext token for the client, and the Put for the caller's
/// transaction (so a session exists only if the sign-in that made it committed).
pub fn issue(
    app: &App,
    account: &AccountId,
    role: Role,
    org: Option<&OrgId>,
) -> Result<(String, TransactWriteItem), StoreError> {
    let token = new_token();
    let hash = token_hash(&token);
    let now = app.now_ms();
    let lifetime = if role.is_staff() {
        STAFF_SESSION_MS
    } else {
        PATIENT_SESSION_MS
    };
    let item = SessionItem {
        pk: keys::session_pk(&hash),
        sk: keys::SESSION_SK.into(),
        gsi1pk: keys::account_pk(account),
        gsi1sk: format!("{}{hash}", keys::SESSION_GSI_PREFIX),
        account_id: *account,
        role,
        org_id: org.copied(),
        created_at: now,
        expires_at: now + lifetime,
        ttl: (now + lifetime) / 1000,
    };
    Ok((
        token,
        put(
            app.table(),
            to_item(&item)?,
            Some("attribute_not_exists(pk)"),
        )?,
    ))
}

/// The live session for a token, or `None` (malformed, unknown, expired).
pub async fn resolve(app: &App, token: &str) -> Result<Option<SessionItem>, StoreError> {
    if !looks_like_token(token) {
        return Ok(None);
    }
    let out = app
        .db
        .get_item()
        .table_name(app.table())
        .set_key(Some(dynamo::key(
            keys::session_pk(&token_hash(token)),
            keys::SESSION_SK,
        )))
        .consistent_read(true)
        .send()
        .await?;
    let Some(item) = out.item else {
        return Ok(None);
    };
    let session: SessionItem = dynamo::from_item(item)?;
    Ok((session.expires_at > app.now_ms()).then_some(session))
}

/// Ends every session of an account (a removed teammate), at most 25 per batch.
pub async fn revoke_all(app: &App, account: &AccountId) -> Result<usize, StoreError> {
    let mut revoked = 0;
    let mut start = None;
    loop {
        let page = app
            .db
            .query()
            .table_name(app.table())
            .index_name(keys::GSI1)
            .key_condition_expression("gsi1pk = :a AND begins_with(gsi1sk, :s)")
            .expression_attribute_values(":a", s(keys::account_pk(account)))
            .expression_attribute_values(":s", s(keys::SESSION_GSI_PREFIX))
            .projection_expression("pk, sk")
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
            // BatchWriteItem may leave some items unprocessed under load: retry those a few times.
            for _ in 0..5 {
                let out = app
                    .db
                    .batch_write_item()
                    .request_items(app.table(), pending.clone())
                    .send()
                    .await?;
                let left = out
                    .unprocessed_items
                    .and_then(|mut u| u.remove(app.table()))
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
