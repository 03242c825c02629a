//! SHIM (issue 9, remove after the merge): raw transaction items for the callers of the
//! old `services::{otp, sessions, audit}` API in other lanes (`signup`'s pairing, the
//! functions that still call `audit::in_transaction`, the test fixtures), until they build
//! their transactions with [`crate::adapters::dynamo::Tx`] and
//! [`super::consume_challenge`] / [`super::put_session`] / `Tx::audit`.

use super::audit_item;
use super::sessions::SessionItem;
use crate::access::audit::AuditEvent;
use crate::access::check_code::CheckError;
use crate::access::codes::Challenge;
use crate::access::sessions::Session;
use crate::adapters::dynamo::{bool_av, key, keys, n, put, s, to_item, StoreError};
use crate::app::App;
use crate::domain::ids::{AccountId, OrgId};
use crate::domain::role::Role;
use aws_sdk_dynamodb::types::{ConditionCheck, Delete, TransactWriteItem, Update};

fn built<T, E: std::fmt::Display>(r: Result<T, E>) -> Result<T, StoreError> {
    r.map_err(|e| StoreError::Other(e.to_string()))
}

/// A new session's token and its conditional Put.
pub fn issue_session(
    app: &App,
    account: &AccountId,
    role: Role,
    org: Option<&OrgId>,
) -> Result<(String, TransactWriteItem), StoreError> {
    let (token, session) = Session::issue(account, role, org, app.now_ms());
    let item = to_item(&SessionItem::new(&session))?;
    Ok((
        token,
        put(app.table(), item, Some("attribute_not_exists(pk)"))?,
    ))
}

/// The items that use up a verified challenge; put them first in the transaction and
/// explain a cancellation with [`consume_failure`].
pub fn consume(app: &App, challenge: &Challenge) -> Result<Vec<TransactWriteItem>, StoreError> {
    let update = built(
        Update::builder()
            .table_name(app.table())
            .set_key(Some(key(
                keys::challenge_pk(&challenge.id),
                keys::CHALLENGE_SK,
            )))
            .update_expression("SET #consumed = :yes")
            .condition_expression("#consumed = :no AND #expires_at > :now")
            .expression_attribute_names("#consumed", "consumed")
            .expression_attribute_names("#expires_at", "expires_at")
            .expression_attribute_values(":yes", bool_av(true))
            .expression_attribute_values(":no", bool_av(false))
            .expression_attribute_values(":now", n(app.now_ms()))
            .build(),
    )?;
    let mut writes = vec![TransactWriteItem::builder().update(update).build()];
    for slot in &challenge.codes {
        let check = built(
            ConditionCheck::builder()
                .table_name(app.table())
                .set_key(Some(key(keys::sends_pk(&slot.destination), keys::SENDS_SK)))
                .condition_expression("#current = :c")
                .expression_attribute_names("#current", "current_challenge")
                .expression_attribute_values(":c", s(challenge.id.to_string()))
                .build(),
        )?;
        writes.push(TransactWriteItem::builder().condition_check(check).build());
    }
    // A right code ends each destination's run of wrong codes (`access::guessing`); after
    // the checks, so [`consume_failure`]'s positions hold, and unconditional, so never refused.
    for slot in &challenge.codes {
        let reset = built(
            Delete::builder()
                .table_name(app.table())
                .set_key(Some(super::codes::run_key(&slot.destination)))
                .build(),
        )?;
        writes.push(TransactWriteItem::builder().delete(reset).build());
    }
    Ok(writes)
}

/// Maps a cancelled transaction that began with [`consume`]'s items to the reason, if the
/// challenge is what failed.
pub fn consume_failure(challenge: &Challenge, err: &StoreError) -> Option<CheckError> {
    if err.failed_at(0) {
        return Some(CheckError::Used);
    }
    (1..=challenge.codes.len())
        .any(|i| err.failed_at(i))
        .then_some(CheckError::Replaced)
}

/// The audit item as a raw transaction item.
pub fn audit_in_transaction(
    app: &App,
    event: &AuditEvent<'_>,
) -> Result<TransactWriteItem, StoreError> {
    put(app.table(), audit_item(app.now_ms(), event)?, None)
}
