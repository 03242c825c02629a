//! Moving the caller's read horizon forward ("I have read up to message m").
//!
//! **Two people.** One horizon per reader lives on the conversation (`reads`,
//! `read_counts`), so a read is one write whatever the number of messages it covers. The
//! common case (m is the newest message) is one TransactWriteItems that copies the
//! conversation's message count into the reader's read count. Copying is exact because
//! message ids are in commit order (see [`super::message`]). With a claimed caller
//! (`cx.proof`, `access::proof`: a patient, or a remembered staff member) the same
//! transaction proves the caller (first slot, so its refusal is the one reported) and
//! nothing is read before it: a receipt is one round trip, authorization included.
//!
//! **A group** (more than two participants, [`super::Conversation::is_group`]). Every reader
//! writing the conversation's item would make fifty readers of a group, reading the same
//! new message at once, contend on that one item. So each reader moves an item of their
//! own (`H#reader`) and the stream folds those into the conversation's `reads` /
//! `read_counts`, where the inboxes read them about a second later
//! (`adapters::dynamo::conversations::horizons`). Two round trips: the conversation, the
//! message and the reader's own horizon are read together, then only the reader's own
//! items are written (horizon, receipt, audit), with no condition on any shared item. The
//! process remembers which conversations are groups ([`known_group`]); the first receipt
//! of a group in a process tries the two-person write, which the conversation refuses.
//!
//! **When the write is refused** the same read decides. An id at or behind the horizon
//! (the further of the conversation's and the reader's own) is a no-op answered with the
//! current state; a claimed caller was proven by the refused transaction (its caller
//! slots come first), or, when none was tried, by an audit write before the answer. An
//! older-than-newest id counts the messages in (horizon, m] (one more round trip) and
//! writes that count. Read-only conversations still accept receipts.

use super::{Context, ReadState};
use crate::adapters::dynamo::StoreError;
use crate::domain::ids::{ConversationId, MessageId};
use crate::ports::conversations::{
    ConversationStore, HorizonMove, HorizonRefused, NewReadCount, OwnHorizonMove,
};
use std::collections::HashSet;
use std::sync::Mutex;

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
    let targets = vec![conversation.to_string(), m.to_string()];
    let event = |outcome| cx.audit("conversation.read_receipt", targets.clone(), outcome);
    // Whether a transaction carrying `cx.proof` was refused by something after it: its
    // caller slots come first, so the caller was proven then.
    let mut proven = false;
    if !known_group(conversation) {
        let newest = HorizonMove {
            reader: cx.caller,
            proof: cx.proof,
            conversation: *conversation,
            through: m,
            count: NewReadCount::CopyMessageCount,
            receipt_from: None,
            at: cx.now(),
        };
        match store.move_horizon(&newest, &event("ok")).await {
            Ok(()) => return Ok(horizon(m, 0)),
            Err(HorizonRefused::NoSuchMessage) => return Err(MarkReadError::MessageNotFound),
            Err(HorizonRefused::Conversation) => proven = true,
            Err(HorizonRefused::Store(e)) => return Err(e.into()),
        }
    }
    for _ in 0..ATTEMPTS {
        let read = store
            .receipt_state(conversation, reader, &m, cx.proof)
            .await?;
        let c = read
            .conversation
            .filter(|c| c.visible_to(cx.caller))
            .ok_or(MarkReadError::ConversationNotFound)?;
        if !read.message_exists {
            return Err(MarkReadError::MessageNotFound);
        }
        if c.is_group() {
            remember_group(*conversation);
        }
        let on_conversation = c.reads.get(&reader.to_string()).cloned();
        let mut merged = c.clone();
        merged.merge_horizons(read.own_horizon.map(|own| (*reader, own)));
        let current = merged.reads.get(&reader.to_string()).cloned();
        if let Some(h) = current.as_ref().filter(|h| h.through >= m) {
            if cx.proof.is_some() && !proven {
                store
                    .audit_read(&event("unchanged"), cx.proof, cx.now())
                    .await?;
            }
            return Ok(horizon(h.through, merged.unread_for(reader)));
        }
        let count = match c.last_message_id == Some(m) {
            true => c.message_count,
            false => {
                let after = current.as_ref().map(|h| &h.through);
                let between = store.count_messages(conversation, after, &m).await?;
                merged.read_count_of(reader) + between
            }
        };
        let to = ReadState {
            through: m,
            count,
            at: cx.now(),
        };
        let receipt_from = current.map(|h| h.through);
        let moved = match c.is_group() {
            true => {
                let own = OwnHorizonMove {
                    reader: cx.caller,
                    proof: cx.proof,
                    conversation: *conversation,
                    to,
                    receipt_from,
                };
                store.move_own_horizon(&own, &event("ok")).await
            }
            false => {
                let count = match c.last_message_id == Some(m) {
                    true => NewReadCount::CopyMessageCount,
                    false => NewReadCount::Exactly {
                        count,
                        previous: on_conversation.map(|h| h.through),
                    },
                };
                let pair = HorizonMove {
                    reader: cx.caller,
                    proof: cx.proof,
                    conversation: *conversation,
                    through: m,
                    count,
                    receipt_from,
                    at: to.at,
                };
                store.move_horizon(&pair, &event("ok")).await
            }
        };
        match moved {
            Ok(()) => return Ok(horizon(m, (c.message_count - count).max(0))),
            Err(HorizonRefused::NoSuchMessage) => return Err(MarkReadError::MessageNotFound),
            Err(HorizonRefused::Conversation) => proven = true,
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

/// Conversations this process has seen to be groups (bounded; a conversation does not
/// stop being a group, and one forgotten only costs its next receipt one refused write).
static GROUPS: Mutex<Option<HashSet<ConversationId>>> = Mutex::new(None);
const GROUPS_REMEMBERED: usize = 10_000;

/// Whether this process has seen `conversation` to be a group: its receipts then skip
/// the two-person write, which a group's conversation refuses.
fn known_group(conversation: &ConversationId) -> bool {
    GROUPS
        .lock()
        .is_ok_and(|groups| groups.as_ref().is_some_and(|g| g.contains(conversation)))
}

fn remember_group(conversation: ConversationId) {
    if let Ok(mut groups) = GROUPS.lock() {
        let groups = groups.get_or_insert_with(HashSet::new);
        if groups.len() >= GROUPS_REMEMBERED {
            groups.clear();
        }
        groups.insert(conversation);
    }
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
                "receipt_state",
                "count_messages",
                "move_horizon"
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

    /// The scene's conversation with two more patients: a group.
    fn group_scene() -> (Scene, Vec<crate::domain::caller::Caller>) {
        use crate::conversations::{ParticipantKind, ParticipantRef};
        let s = Scene::new();
        let mut c = s.store.stored(&s.id).unwrap();
        let mut others = Vec::new();
        for name in ["Ann", "Bo"] {
            let mut who = s.patient.clone();
            who.account_id = crate::domain::ids::AccountId::generate();
            c.participants.push(ParticipantRef {
                id: who.account_id,
                kind: ParticipantKind::Patient,
                name: name.into(),
            });
            c.participant_ids.push(who.account_id);
            others.push(who);
        }
        s.store.insert(c);
        (s, others)
    }

    #[tokio::test]
    async fn a_group_reader_moves_only_their_own_horizon_in_two_round_trips() {
        let (s, others) = group_scene();
        let ids = posted(&s, 2).await;
        let h = mark_read(&s.store, &s.cx(&s.patient), &s.id, ids[1])
            .await
            .unwrap();
        assert_eq!(h, horizon(ids[1], 0));
        // The first receipt of the group in this process learns that it is one.
        assert_eq!(
            s.store.calls(),
            ["move_horizon", "receipt_state", "move_own_horizon"]
        );
        s.store.forget_calls();
        let h = mark_read(&s.store, &s.cx(&others[0]), &s.id, ids[0])
            .await
            .unwrap();
        assert_eq!(h, horizon(ids[0], 1));
        assert_eq!(
            s.store.calls(),
            ["receipt_state", "count_messages", "move_own_horizon"]
        );
        // The conversation's item was not written: the stream folds the horizons in.
        let c = s.store.stored(&s.id).unwrap();
        assert_eq!(c.horizon_of(&s.patient.account_id), None);
        assert_eq!(c.horizon_of(&others[0].account_id), None);
        let own = s.store.own_horizons(&s.id).await.unwrap();
        let mut merged = c.clone();
        merged.merge_horizons(own);
        assert_eq!(merged.unread_for(&s.patient.account_id), 0);
        assert_eq!(merged.unread_for(&others[0].account_id), 1);
        assert_eq!(merged.unread_for(&others[1].account_id), 2);
    }

    #[tokio::test]
    async fn a_group_reader_behind_their_own_horizon_changes_nothing() {
        let (s, _) = group_scene();
        let ids = posted(&s, 2).await;
        let cx = s.cx(&s.patient);
        mark_read(&s.store, &cx, &s.id, ids[1]).await.unwrap();
        s.store.forget_calls();
        let h = mark_read(&s.store, &cx, &s.id, ids[0]).await.unwrap();
        assert_eq!(h, horizon(ids[1], 0));
        assert_eq!(s.store.calls(), ["receipt_state"]);
    }

    #[tokio::test]
    async fn a_claimed_caller_is_proven_before_a_no_op_is_answered() {
        let (s, _) = group_scene();
        let ids = posted(&s, 1).await;
        mark_read(&s.store, &s.cx(&s.patient), &s.id, ids[0])
            .await
            .unwrap();
        s.store.forget_calls();
        let proof = crate::access::proof::SessionProof {
            token_hash: "h".into(),
            account_id: s.patient.account_id,
            now: 2_000,
            used_after: 0,
            staff: None,
        };
        let claimed = crate::conversations::Context {
            proof: Some(&proof),
            ..s.cx(&s.patient)
        };
        mark_read(&s.store, &claimed, &s.id, ids[0]).await.unwrap();
        assert_eq!(s.store.calls(), ["receipt_state", "audit_read"]);
    }

    #[tokio::test]
    async fn a_group_receipt_for_a_missing_message_or_a_stranger_is_refused() {
        let (s, _) = group_scene();
        let ids = posted(&s, 1).await;
        mark_read(&s.store, &s.cx(&s.patient), &s.id, ids[0])
            .await
            .unwrap();
        let missing = mark_read(&s.store, &s.cx(&s.patient), &s.id, MessageId::generate()).await;
        assert_eq!(missing, Err(MarkReadError::MessageNotFound));
        let mut stranger = s.patient.clone();
        stranger.account_id = crate::domain::ids::AccountId::generate();
        let hidden = mark_read(&s.store, &s.cx(&stranger), &s.id, ids[0]).await;
        assert_eq!(hidden, Err(MarkReadError::ConversationNotFound));
    }
}
