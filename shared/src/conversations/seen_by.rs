//! One message with who sent it and who has seen it, with the time each reader's horizon
//! first reached it.
//!
//! Round trips: one for the conversation (authorization, names), the message, the receipts
//! at or past it and the audit write, all concurrent; plus one BatchGetItem for the names
//! of readers who are not participants (staff who see it through its link) and of a
//! contact who sent it (an inbound SMS or email: `sent_by.name` is the contact's name),
//! when any.
//! Horizons only move forward, so a reader's first receipt at or past the message is when
//! they first reached it.

use super::{Context, Message};
use crate::adapters::dynamo::StoreError;
use crate::domain::ids::{AccountId, ConversationId, MessageId, SenderId};
use crate::ports::conversations::ConversationStore;
use std::collections::BTreeMap;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reader {
    pub id: AccountId,
    pub name: String,
}

/// Who sent the message: an account, or the contact an inbound SMS or email came from
/// (named as in the practice's address book).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sender {
    pub id: SenderId,
    pub name: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SeenBy {
    pub message: Message,
    pub sender: Sender,
    /// Readers other than the sender, by the time they first saw it.
    pub seen: Vec<(Reader, i64)>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SeenByError {
    #[error("no such conversation")]
    ConversationNotFound,
    #[error("no such message")]
    MessageNotFound,
    #[error(transparent)]
    Store(#[from] StoreError),
}

pub async fn seen_by(
    store: &impl ConversationStore,
    cx: &Context<'_>,
    conversation: &ConversationId,
    message_id: &MessageId,
) -> Result<SeenBy, SeenByError> {
    let targets = vec![conversation.to_string(), message_id.to_string()];
    let event = cx.audit("message.read", targets, "requested");
    let (found, message, receipts, audited) = tokio::join!(
        store.conversation(conversation),
        store.message(conversation, message_id),
        store.receipts_from(conversation, message_id),
        store.audit_read(&event, cx.now())
    );
    let found = found?
        .filter(|c| c.visible_to(cx.caller))
        .ok_or(SeenByError::ConversationNotFound)?;
    audited?;
    let message = message?.ok_or(SeenByError::MessageNotFound)?;

    let mut first_seen: BTreeMap<AccountId, i64> = BTreeMap::new();
    for r in receipts? {
        if !message.sender_id.is_account(&r.reader) {
            first_seen.entry(r.reader).or_insert(r.at);
        }
    }
    let mut names: BTreeMap<SenderId, String> = found
        .participants
        .iter()
        .map(|p| (SenderId::Account(p.id), p.name.clone()))
        .collect();
    let mut missing: Vec<SenderId> = first_seen.keys().copied().map(SenderId::from).collect();
    missing.push(message.sender_id);
    missing.retain(|a| !names.contains_key(a));
    missing.sort();
    missing.dedup();
    if !missing.is_empty() {
        names.extend(store.sender_names(&found.org_id, &missing).await?);
    }
    let name_of = |id: SenderId| names.get(&id).cloned().unwrap_or_default();
    let mut seen: Vec<(i64, AccountId)> = first_seen.iter().map(|(a, at)| (*at, *a)).collect();
    seen.sort();
    Ok(SeenBy {
        sender: Sender {
            id: message.sender_id,
            name: name_of(message.sender_id),
        },
        seen: seen
            .into_iter()
            .map(|(at, a)| {
                let reader = Reader {
                    id: a,
                    name: name_of(a.into()),
                };
                (reader, at)
            })
            .collect(),
        message,
    })
}
