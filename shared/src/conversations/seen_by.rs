//! One message with who sent it and who has seen it, with the time each reader's horizon
//! first reached it.
//!
//! Bounded by design: the conversation's meta holds every reader's horizon (one per
//! reader, moved forward only), so the readers who have seen the message are those whose
//! horizon is at or past it; for each of them one `Limit 1` lookup finds their first
//! receipt at or past it, which is when they first reached it. However many receipts later
//! messages have, the read touches at most one receipt per reader.
//!
//! Round trips: the conversation (authorization, names, horizons), the message, the
//! audit write and the group readers' own horizons (`mark_read`), concurrent; then one `Limit 1` Query per reader who reached the message,
//! concurrent (bounded by the group size plus the link's staff); plus one BatchGetItem for
//! the names of readers who are not participants (staff who see it through its link) and
//! of a contact who sent it (an inbound SMS or email: `sent_by.name` is the contact's
//! name), when any.

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
    let (found, message, audited, own_horizons) = tokio::join!(
        store.conversation(conversation),
        store.message(conversation, message_id),
        store.audit_read(&event, cx.proof, cx.now()),
        store.own_horizons(conversation)
    );
    let mut found = found?
        .filter(|c| c.visible_to(cx.caller))
        .ok_or(SeenByError::ConversationNotFound)?;
    audited?;
    // A group's readers' own horizons, which the stream has perhaps not folded in yet.
    found.merge_horizons(own_horizons?);
    let message = message?.ok_or(SeenByError::MessageNotFound)?;

    // Readers whose horizon reached the message (horizons only move forward).
    let reached: BTreeMap<AccountId, i64> = found
        .reads
        .iter()
        .filter(|(_, r)| r.through >= message.id)
        .filter_map(|(reader, r)| Some((reader.parse::<AccountId>().ok()?, r.at)))
        .filter(|(reader, _)| !message.sender_id.is_account(reader))
        .collect();
    let readers: Vec<AccountId> = reached.keys().copied().collect();
    let mut first_seen: BTreeMap<AccountId, i64> = BTreeMap::new();
    if !readers.is_empty() {
        for r in store
            .first_receipts_from(conversation, message_id, &readers)
            .await?
        {
            first_seen.insert(r.reader, r.at);
        }
    }
    // A horizon whose receipts predate the reader index (none found): the horizon's own
    // time, the latest it can have been.
    for (reader, at) in reached {
        first_seen.entry(reader).or_insert(at);
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
