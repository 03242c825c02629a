//! Pushes for new messages in secure conversations, sent by the stream consumer.
//!
//! Who: every participant but the sender. What: [`super::texts::push_payload`], the
//! practice's name and the conversation id only. How often ([`super::model::push_threshold`]):
//! at most one push per recipient per conversation in any [`super::model::PUSH_COALESCE_MS`]
//! window, except that the first message after they read the conversation pushes at once;
//! within one stream batch, only the newest message of a conversation is considered.
//!
//! Exactly once per push under retries: the push is claimed on the recipient's state item
//! (`CONV#c` / `N#a`) by a conditional update before sending, and marked sent after; a
//! retried record finds it sent and sends nothing, while a claim whose send failed is taken
//! again by the same message. A device that the push service reports disabled is removed.
//!
//! Round trips per recipient: UpdateItem (claim), Query (devices), one SNS Publish per
//! device, UpdateItem (sent); recipients run concurrently.

use super::model::{push_threshold, ConversationFacts, NewMessage, PracticeFacts};
use super::texts::push_payload;
use crate::adapters::dynamo::StoreError;
use crate::domain::ids::AccountId;
use crate::ports::notifications::{DeviceStore, NotifyStore, PushError, PushGateway};

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PushFailure {
    #[error("the push service is unavailable")]
    Unavailable,
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// What happened to one recipient's push.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pushed {
    /// Sent to this many devices (0: the recipient has none).
    Sent(usize),
    /// Coalesced into an earlier push, or already sent by an earlier delivery.
    Coalesced,
}

/// The accounts a message pushes to: every participant but the sender.
pub fn recipients(conversation: &ConversationFacts, message: &NewMessage) -> Vec<AccountId> {
    if !conversation.secure {
        return vec![];
    }
    conversation
        .participants
        .iter()
        .map(|(a, _)| *a)
        .filter(|a| !message.sender.is_account(a))
        .collect()
}

/// Pushes `message` to `recipient`'s devices, if the coalescing rule lets it.
pub async fn push_to<S: NotifyStore + DeviceStore>(
    store: &S,
    gateway: &dyn PushGateway,
    conversation: &ConversationFacts,
    practice: &PracticeFacts,
    message: &NewMessage,
    recipient: &AccountId,
    now_ms: i64,
) -> Result<Pushed, PushFailure> {
    let threshold = push_threshold(now_ms, conversation.read_at.get(recipient).copied());
    let claimed = store
        .claim_push(
            &conversation.id,
            recipient,
            &message.message,
            threshold,
            now_ms,
        )
        .await?;
    if !claimed {
        return Ok(Pushed::Coalesced);
    }
    let payload = push_payload(&practice.name, &conversation.id);
    let devices = store.devices_of(recipient).await?;
    let mut sent = 0;
    let mut unavailable = false;
    for device in &devices {
        match gateway.publish(&device.endpoint, &payload).await {
            Ok(()) => sent += 1,
            Err(PushError::EndpointDisabled) => {
                tracing::info!(device = %device.id, "push endpoint disabled: removing the device");
                store.remove_device(device).await?;
                let _ = gateway.unregister(&device.endpoint).await;
            }
            Err(PushError::NotConfigured) => {
                tracing::warn!(platform = device.platform.as_str(), "push not configured");
            }
            Err(PushError::Unavailable) => unavailable = true,
        }
    }
    if unavailable && sent == 0 {
        // Claimed but not sent: the retried record takes the claim again (same message).
        return Err(PushFailure::Unavailable);
    }
    store
        .push_sent(&conversation.id, recipient, &message.message)
        .await?;
    Ok(Pushed::Sent(sent))
}
