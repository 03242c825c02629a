//! The safety net under the stream: an outbound standard message whose stream record
//! never got it sent is found again and sent (or failed with a reason), never left
//! `queued` for good (SECURITY.md: "…and the message is never lost").
//!
//! How a message can be missed: the stream consumer retries a failing batch
//! (`MaximumRetryAttempts`) and drops a record older than `MaximumRecordAgeInSeconds`
//! (template.yaml, `StreamFunction`) to its on-failure queue, which only keeps the
//! record's coordinates. A provider outage longer than that, or a poison neighbour in the
//! batch, would otherwise leave the message `queued` forever.
//!
//! How it is found: the post writes the message with GSI3 `SEND#DUE` /
//! `<sent_at + REDRIVE_AFTER_MS>#c#m` (sparse, on the message item itself, in the post's
//! one transaction: no extra round trip); the write that records it sent or failed
//! removes it. So the index holds only messages still queued well after the stream gave
//! up on them, and the reminders sweep (every minute) Queries what fell due ([`redrive`]).
//!
//! Never sent twice by overlapping sweeps: each message is first leased (a conditional
//! UpdateItem that moves its due time [`LEASE_MS`] ahead, only if it is still queued at
//! the due time read), so exactly one sweep takes it; a send that fails leaves it leased
//! and the next sweep after the lease tries again. Never sent twice by the stream and a
//! sweep: re-driving starts only after the stream can no longer deliver the record
//! (`REDRIVE_AFTER_MS` is beyond its maximum record age). The window left is the same as
//! the stream's own: a crash between the provider's answer and the write recording it.
//! A message still undeliverable [`GIVE_UP_AFTER_MS`] after it was posted fails as
//! `expired`, which staff see on the message (they can send it again).
//!
//! Round trips per sweep: 1 Query; per due message 1 UpdateItem (lease); then for the
//! leased ones together what the stream does (1 BatchGetItem, the sends, 1 UpdateItem
//! each).

use super::model::{DeliveryStatus, MessageRef};
use super::send::{send_all, SendError, Senders, Sent};
use crate::adapters::dynamo::StoreError;
use crate::ports::standard::DeliveryChange;

/// How long after its post a still-queued message is re-driven: past the stream's
/// `MaximumRecordAgeInSeconds` (900 s), plus margin for an invocation still running.
pub const REDRIVE_AFTER_MS: i64 = 20 * 60 * 1000;
/// How long one sweep holds a message it is sending (and so when a failed attempt is
/// tried again).
pub const LEASE_MS: i64 = 5 * 60 * 1000;
/// After this, a message that could not be sent fails as `expired` instead.
pub const GIVE_UP_AFTER_MS: i64 = 24 * 60 * 60 * 1000;
/// At most this many messages per sweep (one Query page); the rest wait a minute.
const PAGE: i32 = 25;

/// What one re-drive did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Redriven {
    /// Sent now.
    pub sent: usize,
    /// Failed for good now (refused, opted out, or `expired`).
    pub failed: usize,
    /// Still not sendable (provider or table unavailable): tried again after the lease.
    pub retrying: usize,
}

/// Sends (or fails) the queued messages whose re-drive time has come.
pub async fn redrive(ports: &Senders<'_>, now_ms: i64) -> Result<Redriven, StoreError> {
    let due = ports.store.due_sends(now_ms, PAGE).await?;
    let mut done = Redriven::default();
    let mut to_send: Vec<MessageRef> = Vec::new();
    for d in &due {
        if !ports.store.lease_send(d, now_ms + LEASE_MS).await? {
            continue;
        }
        if d.posted_ms + GIVE_UP_AFTER_MS <= now_ms {
            expire(ports, d.message, now_ms).await?;
            done.failed += 1;
        } else {
            to_send.push(d.message);
        }
    }
    for (message, result) in to_send.iter().zip(send_all(ports, &to_send).await) {
        match result {
            Ok(Sent::Sent(_)) => done.sent += 1,
            Ok(Sent::Failed(_)) => done.failed += 1,
            Ok(Sent::AlreadyHandled | Sent::Missing) => {}
            Err(SendError::Retry(why)) => {
                tracing::warn!(message_id = %message.message_id, error = %why, "re-drive will be retried");
                done.retrying += 1;
            }
        }
    }
    Ok(done)
}

async fn expire(ports: &Senders<'_>, message: MessageRef, now_ms: i64) -> Result<(), StoreError> {
    ports
        .store
        .advance_delivery(&DeliveryChange {
            message,
            status: DeliveryStatus::Failed,
            reason: Some("expired".into()),
            at_ms: now_ms,
        })
        .await?;
    Ok(())
}
