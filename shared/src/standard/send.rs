//! Sending queued standard messages: what the stream consumer does with a batch of new
//! outbound messages.
//!
//! Round trips for a batch of n messages: one BatchGetItem (the messages and their
//! conversation metas, consistent) + n provider calls + one conditional UpdateItem per sent
//! message (`queued → sent` with the provider's id). So **one write per message**.
//!
//! Never sent twice: a retried batch re-reads each message first and skips those that are
//! no longer `queued` (Lambda replays a failed batch from the first failed record, so
//! records that succeeded before come again). Never lost: a provider outage leaves the
//! message `queued` and reports it as failed, so Lambda retries it; a refusal that will not
//! change (opted out, invalid number) ends as `failed` with its reason.

use crate::adapters::dynamo::StoreError;
use crate::ports::standard::{
    DeliveryChange, EmailSender, OutboundEmail, OutboundSms, SendFailure, SmsSender, StandardStore,
};
use crate::ports::Clock;
use crate::standard::model::{Address, DeliveryStatus, MessageRef, Outbound};
use futures::future::join_all;

/// The ports one send needs.
pub struct Senders<'a> {
    pub store: &'a dyn StandardStore,
    pub sms: &'a dyn SmsSender,
    pub email: &'a dyn EmailSender,
    pub clock: &'a dyn Clock,
}

/// What became of one message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Sent {
    /// Sent now, with the provider's id.
    Sent(String),
    /// Already past `queued` (a replayed record): nothing done.
    AlreadyHandled,
    /// Not found (deleted, or not a standard message): nothing to do.
    Missing,
    /// Refused for good; recorded as `failed` with this reason.
    Failed(&'static str),
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SendError {
    /// Retry the record later: the provider or the table is unavailable.
    #[error("retry later: {0}")]
    Retry(String),
}

impl From<StoreError> for SendError {
    fn from(e: StoreError) -> Self {
        SendError::Retry(e.to_string())
    }
}

/// Sends every queued message in `refs` concurrently; one result per ref, in order.
pub async fn send_all(ports: &Senders<'_>, refs: &[MessageRef]) -> Vec<Result<Sent, SendError>> {
    let loaded = match ports.store.load_outbound(refs).await {
        Ok(found) => found,
        Err(e) => {
            return refs
                .iter()
                .map(|_| Err(SendError::from(e.clone())))
                .collect()
        }
    };
    let work = refs.iter().map(|r| {
        let found = loaded
            .iter()
            .find(|o| o.message_id == r.message_id && o.conversation_id == r.conversation_id);
        async move {
            match found {
                None => Ok(Sent::Missing),
                Some(o) => send_one(ports, o).await,
            }
        }
    });
    join_all(work).await
}

/// The context / tags a provider echoes back in its events: ids only, never content.
pub fn echo_ids(o: &Outbound) -> Vec<(&'static str, String)> {
    vec![
        ("org_id", o.org_id.to_string()),
        ("conversation_id", o.conversation_id.to_string()),
        ("message_id", o.message_id.to_string()),
    ]
}

/// The reply address of a conversation: the practice's address with the conversation's
/// reply token after a `+`, so a reply threads into this conversation.
pub fn reply_to(practice: &Address, o: &Outbound) -> String {
    let key = practice.key();
    let token = o.conversation_id.ulid().to_string().to_ascii_lowercase();
    match key.split_once('@') {
        Some((local, domain)) => format!("{local}+{token}@{domain}"),
        None => key,
    }
}

async fn send_one(ports: &Senders<'_>, o: &Outbound) -> Result<Sent, SendError> {
    if o.status != DeliveryStatus::Queued {
        return Ok(Sent::AlreadyHandled);
    }
    let message = MessageRef {
        conversation_id: o.conversation_id,
        message_id: o.message_id,
    };
    if o.opted_out {
        return fail(ports, message, "opted_out").await;
    }
    let ids = echo_ids(o);
    let result = match (&o.from, &o.to) {
        (Address::Phone(_), Address::Phone(_)) => {
            ports
                .sms
                .send_sms(&OutboundSms {
                    from: &o.from,
                    to: &o.to,
                    text: &o.text,
                    context: &ids,
                })
                .await
        }
        (Address::Email(_), Address::Email(_)) => {
            let subject = format!("Message from {}", o.practice_name);
            ports
                .email
                .send_email(&OutboundEmail {
                    from_name: &o.practice_name,
                    from: &o.from,
                    reply_to: &reply_to(&o.from, o),
                    to: &o.to,
                    subject: &subject,
                    text: &o.text,
                    tags: &ids,
                })
                .await
        }
        _ => return fail(ports, message, "channel_mismatch").await,
    };
    match result {
        Ok(provider_id) => {
            ports
                .store
                .record_sent(&message, &provider_id, ports.clock.now_ms())
                .await?;
            Ok(Sent::Sent(provider_id))
        }
        Err(SendFailure::Unavailable) => Err(SendError::Retry("provider unavailable".into())),
        Err(SendFailure::OptedOut) => fail(ports, message, "opted_out").await,
        Err(SendFailure::Refused(_)) => fail(ports, message, "rejected").await,
    }
}

async fn fail(
    ports: &Senders<'_>,
    message: MessageRef,
    reason: &'static str,
) -> Result<Sent, SendError> {
    ports
        .store
        .advance_delivery(&DeliveryChange {
            message,
            status: DeliveryStatus::Failed,
            reason: Some(reason.to_string()),
            at_ms: ports.clock.now_ms(),
        })
        .await?;
    Ok(Sent::Failed(reason))
}
