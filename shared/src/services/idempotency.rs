//! `Idempotency-Key` for mutations that have no natural key (creating a contact, sending an
//! invite): a client that retries after a timeout with the same key gets the first answer
//! back instead of a second contact, a second pending conversation and a second SMS.
//!
//! The record `IDEMKEY#<caller>#<key>` / `#IDEMKEY` is claimed (conditional put, state
//! `pending`) before the handler runs, then holds the answer (`done`). The same key with
//! another request → 422; a retry while the first is still running → 409 with Retry-After;
//! a request that failed releases its key so it can be retried. Records expire after 24 h.
//! Without the header nothing changes (message posts use their own `client_message_id`).

use crate::adapters::dynamo::{self, n, s, StoreError};
use crate::app::App;
use crate::domain::ids::AccountId;
use crate::http::{request::header, ApiError, HttpResult};
use lambda_http::{Body, Request, Response};
use sha2::{Digest, Sha256};
use std::future::Future;

const LIFETIME_MS: i64 = 24 * 3600 * 1000;
const SK: &str = "#IDEMKEY";

fn record_key(caller: &AccountId, key: &str) -> dynamo::Item {
    dynamo::key(format!("IDEMKEY#{caller}#{key}"), SK)
}

/// Runs `handler` at most once per (caller, `Idempotency-Key`).
pub async fn once<F, Fut>(app: &App, req: &Request, caller: &AccountId, handler: F) -> HttpResult
where
    F: FnOnce() -> Fut,
    Fut: Future<Output = HttpResult>,
{
    let Some(key) = header(req, "idempotency-key") else {
        return handler().await;
    };
    if key.is_empty() || key.len() > 128 || !key.bytes().all(|b| b.is_ascii_graphic()) {
        return Err(ApiError::invalid(
            "Idempotency-Key",
            "1 to 128 visible ASCII characters",
        ));
    }
    let body: &[u8] = req.body().as_ref();
    let mut hasher = Sha256::new();
    hasher.update(req.uri().path().as_bytes());
    hasher.update([0]);
    hasher.update(body);
    let request_hash = hex::encode(hasher.finalize());
    let now = app.now_ms();
    let mut item = record_key(caller, key);
    item.insert("state".into(), s("pending"));
    item.insert("request_hash".into(), s(&request_hash));
    item.insert("ttl".into(), n((now + LIFETIME_MS) / 1000));
    let claimed = app
        .db
        .put_item()
        .table_name(app.table())
        .set_item(Some(item))
        .condition_expression("attribute_not_exists(pk)")
        .send()
        .await
        .map_err(StoreError::from);
    match claimed {
        Ok(_) => {}
        Err(StoreError::ConditionFailed) => return replay(app, caller, key, &request_hash).await,
        Err(other) => return Err(other.into()),
    }
    let result = handler().await;
    match &result {
        Ok(response) if response.status().is_success() => {
            let text = match response.body() {
                Body::Text(t) => t.clone(),
                _ => String::new(),
            };
            let stored = app
                .db
                .update_item()
                .table_name(app.table())
                .set_key(Some(record_key(caller, key)))
                .update_expression("SET #state = :done, #status = :status, #body = :body")
                .expression_attribute_names("#state", "state")
                .expression_attribute_names("#status", "status")
                .expression_attribute_names("#body", "body")
                .expression_attribute_values(":done", s("done"))
                .expression_attribute_values(":status", n(response.status().as_u16()))
                .expression_attribute_values(":body", s(text))
                .send()
                .await;
            if stored.is_err() {
                tracing::warn!(
                    "idempotency record not completed; a retry will see 409 until it expires"
                );
            }
        }
        _ => {
            // Failed: release the key so the client can retry the same request.
            let _ = app
                .db
                .delete_item()
                .table_name(app.table())
                .set_key(Some(record_key(caller, key)))
                .send()
                .await;
        }
    }
    result
}

async fn replay(app: &App, caller: &AccountId, key: &str, request_hash: &str) -> HttpResult {
    let out = app
        .db
        .get_item()
        .table_name(app.table())
        .set_key(Some(record_key(caller, key)))
        .consistent_read(true)
        .send()
        .await
        .map_err(StoreError::from)?;
    let item = out.item.unwrap_or_default();
    if dynamo::get_s(&item, "request_hash") != Some(request_hash) {
        return Err(ApiError::new(
            422,
            "idempotency_key_reused",
            "This Idempotency-Key was used with a different request.",
        ));
    }
    if dynamo::get_s(&item, "state") != Some("done") {
        return Err(ApiError::conflict(
            "request_in_progress",
            "The first request with this key is still running.",
        )
        .with_retry_after(1));
    }
    let status = dynamo::get_n(&item, "status").unwrap_or(200) as u16;
    let body = dynamo::get_s(&item, "body").unwrap_or_default().to_string();
    Response::builder()
        .status(status)
        .header("content-type", "application/json")
        .header("idempotent-replayed", "true")
        .body(Body::Text(body))
        .map_err(|_| ApiError::internal())
}
