//! Opt-out and the inbound duplicate guard: STOP / START (and bounces, complaints) set the
//! flag on the thread and every conversation it lists in one transaction that requires
//! the thread unchanged since it was read (retried on a race); an inbound event is claimed
//! once by a put-if-absent item that expires after [`INBOUND_EVENT_MS`].

use super::{meta_key, thread_key, ThreadItem};
use crate::adapters::dynamo::expr::Expr;
use crate::adapters::dynamo::tx::{Tx, TxError};
use crate::adapters::dynamo::{bool_av, key, keys, n, s, Dynamo, StoreError};
use crate::domain::ids::OrgId;
use crate::standard::model::Address;

/// How long a handled inbound event is remembered (providers retry for hours, not weeks).
pub const INBOUND_EVENT_MS: i64 = 30 * 24 * 3600 * 1000;

/// Sets or clears the opt-out of `address` at the practice (up to 5 tries on a race).
pub(super) async fn set_opt_out(
    store: &Dynamo,
    org: &OrgId,
    address: &Address,
    opted_out: bool,
    at_ms: i64,
) -> Result<(), StoreError> {
    for _ in 0..5 {
        let current = store.thread_item(org, address).await?;
        match store
            .commit(opt_out_tx(
                org,
                address,
                current.as_ref(),
                opted_out,
                at_ms,
            )?)
            .await
        {
            Ok(()) => return Ok(()),
            Err(TxError::Refused("thread")) => continue,
            Err(TxError::Refused(_)) => return Ok(()),
            Err(TxError::Store(e)) => return Err(e),
        }
    }
    Err(StoreError::Conflict)
}

/// Claims an inbound event: false when it was handled already.
pub(super) async fn claim_event(
    store: &Dynamo,
    provider_id: &str,
    at_ms: i64,
) -> Result<bool, StoreError> {
    let mut tx = Tx::new();
    tx.put_new("event", &inbound_event(provider_id, at_ms))?;
    match store.commit(tx).await {
        Ok(()) => Ok(true),
        Err(TxError::Refused(_)) => Ok(false),
        Err(TxError::Store(e)) => Err(e),
    }
}

/// Forgets a claimed event whose handling failed, so the provider's retry is handled.
pub(super) async fn release_event(store: &Dynamo, provider_id: &str) -> Result<(), StoreError> {
    store
        .client()
        .delete_item()
        .table_name(store.table())
        .set_key(Some(key(
            keys::inbound_event_pk(provider_id),
            keys::INBOUND_EVENT_SK,
        )))
        .send()
        .await?;
    Ok(())
}

/// The duplicate-guard item of an inbound event.
pub(crate) fn inbound_event(provider_id: &str, at_ms: i64) -> serde_json::Value {
    let expires = at_ms + INBOUND_EVENT_MS;
    serde_json::json!({
        "pk": keys::inbound_event_pk(provider_id),
        "sk": keys::INBOUND_EVENT_SK,
        "at": at_ms,
        "ttl": expires / 1000,
    })
}

/// The thread item (created when absent) and every listed conversation's meta, in one
/// transaction that requires the thread unchanged since it was read.
fn opt_out_tx(
    org: &OrgId,
    address: &Address,
    current: Option<&ThreadItem>,
    opted_out: bool,
    at_ms: i64,
) -> Result<Tx, StoreError> {
    let mut tx = Tx::new();
    let mut e = match current {
        Some(t) => {
            let mut e = Expr::new("#rev = :rev");
            e.value(":rev", n(t.rev));
            e
        }
        None => Expr::new("attribute_not_exists(#rev)"),
    };
    e.name("#rev", "rev")
        .name("#org", "org_id")
        .name("#ch", "channel")
        .name("#addr", "address")
        .name("#oo", "opted_out")
        .name("#ooat", "opted_out_at")
        .value(":org", s(org.to_string()))
        .value(":ch", s(address.channel().as_str()))
        .value(":addr", s(address.key()))
        .value(":oo", bool_av(opted_out))
        .value(":at", n(at_ms))
        .value(":one", n(1))
        .value(":zero", n(0));
    tx.update(
        "thread",
        thread_key(org, address),
        "SET #org = :org, #ch = :ch, #addr = :addr, #oo = :oo, #ooat = :at, \
         #rev = if_not_exists(#rev, :zero) + :one",
        e,
    )?;
    for conversation in current
        .map(|t| t.conversation_ids.as_slice())
        .unwrap_or(&[])
    {
        let mut m = Expr::present();
        m.name("#oo", "opted_out")
            .name("#ooat", "opted_out_at")
            .value(":oo", bool_av(opted_out))
            .value(":at", n(at_ms));
        tx.update(
            "meta",
            meta_key(conversation),
            "SET #oo = :oo, #ooat = :at",
            m,
        )?;
    }
    Ok(tx)
}
