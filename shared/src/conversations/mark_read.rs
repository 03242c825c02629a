//! Moving the caller's read horizon forward ("I have read up to message m").
//!
//! One horizon per reader lives on the conversation (`reads`, `read_counts`), so a read is
//! one write whatever the number of messages it covers or the size of the group. The common
//! case (m is the newest message) is one TransactWriteItems that copies the conversation's
//! message count into the reader's read count. Copying is exact because message ids are in
//! commit order (see [`super::message`]).
//!
//! When the conversation refuses, it is read (2nd round trip): an id at or behind the
//! horizon is a no-op answered with the current state; an older-than-newest id takes the
//! rare path: count the messages in (horizon, m] (3rd) and write with the horizon itself as
//! the condition (4th). Read-only conversations still accept receipts. With a claimed
//! caller (`cx.proof`, `access::proof`: a patient, or a remembered staff member) the
//! first transaction also proves the caller
//! (first slot, so its refusal is the one reported) and nothing is read before it: a
//! receipt is one round trip authorization included.

use super::{Context, Conversation};
use crate::adapters::dynamo::StoreError;
use crate::domain::ids::{ConversationId, MessageId};
use crate::ports::conversations::{ConversationStore, HorizonMove, HorizonRefused, NewReadCount};

/// Bounded: each retry means a post or another read of the same reader came in between.
const ATTEMPTS: usize = 5;

/// Where the caller's horizon is after the read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Horizon {
    pub last_read_message_id: MessageId,
    pub unread_count: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MarkReadError {
    #[error("no such conversation")]
    ConversationNotFound,
    #[error("no such message")]
    MessageNotFound,
    #[error("the horizon kept moving")]
    Busy,
    #[error(transparent)]
    Store(#[from] StoreError),
}

pub async fn mark_read(
    store: &impl ConversationStore,
    cx: &Context<'_>,
    conversation: &ConversationId,
    m: MessageId,
) -> Result<Horizon, MarkReadError> {
    let reader = &cx.caller.account_id;
    let mut count = NewReadCount::CopyMessageCount;
    let mut previous_known: Option<Option<MessageId>> = None;
    for _ in 0..ATTEMPTS {
        let change = HorizonMove {
            reader: cx.caller,
            proof: cx.proof,
            conversation: *conversation,
            through: m,
            count,
            receipt_from: previous_known.flatten(),
            at: cx.now(),
        };
        let targets = vec![conversation.to_string(), m.to_string()];
        let event = cx.audit("conversation.read_receipt", targets, "ok");
        match store.move_horizon(&change, &event).await {
            // m was the newest message when the horizon reached it.
            Ok(()) if count == NewReadCount::CopyMessageCount => return Ok(horizon(m, 0)),
            Ok(()) => {
                let c = load(store, cx, conversation).await?;
                return Ok(horizon(m, c.unread_for(reader)));
            }
            Err(HorizonRefused::NoSuchMessage) => return Err(MarkReadError::MessageNotFound),
            Err(HorizonRefused::Conversation) => {
                let c = load(store, cx, conversation).await?;
                let current = c.horizon_of(reader);
                if let Some(h) = current.filter(|h| *h >= m) {
                    return Ok(horizon(h, c.unread_for(reader)));
                }
                count = if c.last_message_id == Some(m) {
                    NewReadCount::CopyMessageCount
                } else {
                    let before = c.read_count_of(reader);
                    let between = store
                        .count_messages(conversation, current.as_ref(), &m)
                        .await?;
                    NewReadCount::Exactly {
                        count: before + between,
                        previous: current,
                    }
                };
                previous_known = Some(current);
            }
            Err(HorizonRefused::Store(e)) => return Err(e.into()),
        }
    }
    Err(MarkReadError::Busy)
}

fn horizon(through: MessageId, unread: i64) -> Horizon {
    Horizon {
        last_read_message_id: through,
        unread_count: unread,
    }
}

async fn load(
    store: &impl ConversationStore,
    cx: &Context<'_>,
    conversation: &ConversationId,
) -> Result<Conversation, MarkReadError> {
    store
        .conversation(conversation)
        .await?
        .filter(|c| c.visible_to(cx.caller))
        .ok_or(MarkReadError::ConversationNotFound)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::conversations::fake::Scene;
    use crate::conversations::post::{post, PostInput};
    use crate::conversations::{ClientMessageId, MessageText};

    async fn posted(s: &Scene, n: usize) -> Vec<MessageId> {
        let mut ids = Vec::new();
        for i in 0..n {
            let input = PostInput {
                conversation: s.id,
                text: MessageText::parse(format!("m{i}")).unwrap(),
                client_message_id: ClientMessageId::parse(format!("k{i}")).unwrap(),
                attachments: vec![],
            };
            ids.push(post(&s.store, &s.cx(&s.staff), &input).await.unwrap().id);
        }
        s.store.forget_calls();
        ids
    }

    #[tokio::test]
    async fn reading_the_newest_message_is_one_write() {
        let s = Scene::new();
        let ids = posted(&s, 3).await;
        let h = mark_read(&s.store, &s.cx(&s.patient), &s.id, ids[2])
            .await
            .unwrap();
        assert_eq!(h, horizon(ids[2], 0));
        assert_eq!(s.store.calls(), ["move_horizon"]);
        let c = s.store.stored(&s.id).unwrap();
        assert_eq!(c.unread_for(&s.patient.account_id), 0);
    }

    #[tokio::test]
    async fn reading_an_older_message_counts_what_the_horizon_covers() {
        let s = Scene::new();
        let ids = posted(&s, 3).await;
        let h = mark_read(&s.store, &s.cx(&s.patient), &s.id, ids[0])
            .await
            .unwrap();
        assert_eq!(h, horizon(ids[0], 2));
        assert_eq!(
            s.store.calls(),
            [
                "move_horizon",
                "conversation",
                "count_messages",
                "move_horizon",
                "conversation"
            ]
        );
        let h = mark_read(&s.store, &s.cx(&s.patient), &s.id, ids[1])
            .await
            .unwrap();
        assert_eq!(h, horizon(ids[1], 1));
    }

    #[tokio::test]
    async fn reading_behind_the_horizon_changes_nothing() {
        let s = Scene::new();
        let ids = posted(&s, 2).await;
        let cx = s.cx(&s.patient);
        mark_read(&s.store, &cx, &s.id, ids[1]).await.unwrap();
        let h = mark_read(&s.store, &cx, &s.id, ids[0]).await.unwrap();
        assert_eq!(h, horizon(ids[1], 0));
        let c = s.store.stored(&s.id).unwrap();
        assert_eq!(c.horizon_of(&s.patient.account_id), Some(ids[1]));
    }

    #[tokio::test]
    async fn unknown_messages_and_hidden_conversations_are_not_found() {
        let s = Scene::new();
        posted(&s, 1).await;
        let unknown = MessageId::generate();
        let missing = mark_read(&s.store, &s.cx(&s.patient), &s.id, unknown).await;
        assert_eq!(missing, Err(MarkReadError::MessageNotFound));
        let ids = posted(&s, 1).await;
        let mut stranger = s.patient.clone();
        stranger.account_id = crate::domain::ids::AccountId::generate();
        let hidden = mark_read(&s.store, &s.cx(&stranger), &s.id, ids[0]).await;
        assert_eq!(hidden, Err(MarkReadError::ConversationNotFound));
    }
}
