//! The consumer's sync work: each participant's inbox row from the conversation's newest
//! meta image (1 UpdateItem per participant, conditioned on the row being older), and each
//! participant's feed (1 BatchGetItem of the heads, then 1 TransactWriteItems per account;
//! see `canopy_shared::sync::feed`).

use crate::changes::{Change, MetaImage};
use crate::notify::Item;
use canopy_shared::domain::ids::{AccountId, ConversationId};
use canopy_shared::notifications::model::ConversationFacts;
use canopy_shared::ports::sync::SyncStore;
use canopy_shared::sync::feed;
use canopy_shared::sync::model::{FeedChange, InboxProjection, SourcedChange};
use canopy_shared::App;
use futures::future::join_all;
use std::collections::{BTreeMap, BTreeSet, HashMap};

fn projection(source: &str, meta: &MetaImage, account: &AccountId) -> InboxProjection {
    InboxProjection {
        source: source.to_string(),
        subject: meta.subject.clone(),
        state: meta.state.clone(),
        read_only: meta.read_only,
        message_count: meta.message_count,
        read_count: meta
            .read_counts
            .get(&account.to_string())
            .copied()
            .unwrap_or(0),
        last_message_at: meta.last_message_at,
        preview: meta.preview.clone(),
        last_activity: meta.last_activity,
    }
}

/// Writes every participant's inbox row from the newest meta image of each conversation.
pub async fn project_inboxes(app: &App, items: &[Item]) -> BTreeSet<usize> {
    let mut newest: HashMap<ConversationId, (usize, &str, &MetaImage)> = HashMap::new();
    for (i, s) in items {
        if let Change::Meta { new, .. } = &s.change {
            newest.insert(new.id, (*i, s.source.as_str(), new));
        }
    }
    let writes = newest.values().flat_map(|(i, source, meta)| {
        meta.participant_ids.iter().map(move |account| async move {
            let p = projection(source, meta, account);
            (*i, app.store.project_inbox_row(&meta.id, account, &p).await)
        })
    });
    let mut failed = BTreeSet::new();
    for (i, result) in join_all(writes).await {
        if let Err(e) = result {
            tracing::warn!(error = %e, "inbox row projection will be retried");
            failed.insert(i);
        }
    }
    failed
}

/// The feed change a stream change makes, with its recipients.
fn feed_change(
    change: &Change,
    source: &str,
    facts: &HashMap<ConversationId, ConversationFacts>,
    now_ms: i64,
) -> Option<SourcedChange> {
    let participants = |c: &ConversationId| -> Vec<AccountId> {
        facts
            .get(c)
            .map(|f| f.participants.iter().map(|(a, _)| *a).collect())
            .unwrap_or_default()
    };
    let (conversation, at, change, recipients) = match change {
        Change::Message {
            conversation,
            message,
            sender,
            sent_at,
        } => (
            *conversation,
            *sent_at,
            FeedChange::Message {
                message_id: *message,
                sender_id: *sender,
            },
            participants(conversation),
        ),
        Change::Read {
            conversation,
            reader,
            through,
            at,
            ..
        } => (
            *conversation,
            *at,
            FeedChange::Read {
                reader_id: *reader,
                message_id: *through,
            },
            participants(conversation),
        ),
        Change::Meta { old, new } => {
            if old.as_ref().is_some_and(|o| !new.differs_for_feed(o)) {
                return None;
            }
            let mut recipients: BTreeSet<AccountId> = new.participant_ids.iter().copied().collect();
            if let Some(o) = old {
                recipients.extend(o.participant_ids.iter().copied());
            }
            (
                new.id,
                now_ms,
                FeedChange::Conversation {
                    subject: new.subject.clone(),
                    read_only: new.read_only,
                    state: new.state.clone(),
                    participant_ids: new.participant_ids.clone(),
                },
                recipients.into_iter().collect(),
            )
        }
    };
    Some(SourcedChange {
        conversation,
        source: source.to_string(),
        at,
        change,
        recipients,
    })
}

/// Appends the batch's changes to every recipient's feed, in stream order.
pub async fn append_feeds(
    app: &App,
    items: &[Item],
    facts: &HashMap<ConversationId, ConversationFacts>,
    now_ms: i64,
) -> BTreeSet<usize> {
    let changes: Vec<(usize, SourcedChange)> = items
        .iter()
        .filter_map(|(i, s)| feed_change(&s.change, &s.source, facts, now_ms).map(|c| (*i, c)))
        .collect();
    let mut per_account: BTreeMap<AccountId, Vec<(usize, &SourcedChange)>> = BTreeMap::new();
    for (i, c) in &changes {
        for account in &c.recipients {
            per_account.entry(*account).or_default().push((*i, c));
        }
    }
    let mut failed = BTreeSet::new();
    if per_account.is_empty() {
        return failed;
    }
    let accounts: Vec<AccountId> = per_account.keys().copied().collect();
    let heads = match app.store.heads(&accounts).await {
        Ok(h) => h,
        Err(e) => {
            tracing::warn!(error = %e, "feed heads unreadable; the batch's feed work will be retried");
            return changes.iter().map(|(i, _)| *i).collect();
        }
    };
    let appends = per_account.iter().map(|(account, list)| {
        let head = heads.get(account).cloned().unwrap_or_default();
        let only: Vec<&SourcedChange> = list.iter().map(|(_, c)| *c).collect();
        async move { (list, feed::append(&app.store, account, head, &only).await) }
    });
    for (list, result) in join_all(appends).await {
        if let Err(e) = result {
            tracing::warn!(error = %e, "feed append will be retried");
            failed.extend(list.iter().map(|(i, _)| *i));
        }
    }
    failed
}
