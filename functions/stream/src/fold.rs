//! Group read receipts reach the inboxes here. A group reader's receipt moved only their
//! own horizon item (`canopy_shared::conversations::mark_read`), so that a whole group
//! reading at once shares no item; its `R#` record carries the count the horizon covers.
//! This folds the batch's furthest horizon per reader into the conversation's `reads` /
//! `read_counts` (one UpdateItem per conversation and `FOLD_CHUNK` readers), and that
//! change of the conversation then reaches the participants' inbox rows like any other
//! (`crate::sync::project_inboxes`, when its own record comes). Replays change nothing:
//! each reader's entry is written only where the stored one is behind.

use crate::changes::Change;
use crate::notify::Item;
use canopy_shared::conversations::ReadState;
use canopy_shared::domain::ids::{AccountId, ConversationId};
use canopy_shared::ports::sync::SyncStore;
use canopy_shared::App;
use futures::future::join_all;
use std::collections::{BTreeMap, BTreeSet};

/// A conversation's group receipts in the batch: their records, and each reader's
/// furthest horizon among them.
#[derive(Default)]
struct Folding {
    records: Vec<usize>,
    readers: BTreeMap<AccountId, ReadState>,
}

/// The group horizons of `items`, by conversation.
fn group_horizons(items: &[Item]) -> BTreeMap<ConversationId, Folding> {
    let mut per_conversation: BTreeMap<ConversationId, Folding> = BTreeMap::new();
    for (i, sourced) in items {
        let Change::Read {
            conversation,
            reader,
            through,
            at,
            count: Some(count),
        } = &sourced.change
        else {
            continue;
        };
        let folding = per_conversation.entry(*conversation).or_default();
        folding.records.push(*i);
        let state = ReadState {
            through: *through,
            count: *count,
            at: *at,
        };
        let furthest = folding.readers.entry(*reader).or_insert(state.clone());
        if state.through > furthest.through {
            *furthest = state;
        }
    }
    per_conversation
}

/// Folds the batch's group horizons; returns the records to retry.
pub async fn fold_group_horizons(app: &App, items: &[Item]) -> BTreeSet<usize> {
    let per_conversation = group_horizons(items);
    let folds = per_conversation
        .iter()
        .map(|(conversation, folding)| async move {
            let horizons: Vec<(AccountId, ReadState)> = folding
                .readers
                .iter()
                .map(|(reader, state)| (*reader, state.clone()))
                .collect();
            let result = app.store.fold_horizons(conversation, &horizons).await;
            (&folding.records, result)
        });
    let mut failed = BTreeSet::new();
    for (records, result) in join_all(folds).await {
        if let Err(e) = result {
            tracing::warn!(error = %e, "group horizons will be folded again");
            failed.extend(records.iter().copied());
        }
    }
    failed
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::changes::Sourced;
    use canopy_shared::domain::ids::MessageId;

    fn read(
        conversation: ConversationId,
        reader: AccountId,
        through: MessageId,
        count: Option<i64>,
    ) -> Sourced {
        Sourced {
            source: "1".into(),
            change: Change::Read {
                conversation,
                reader,
                through,
                at: 5,
                count,
            },
        }
    }

    #[test]
    fn only_group_receipts_are_folded_each_reader_at_their_furthest() {
        let (c, d) = (ConversationId::generate(), ConversationId::generate());
        let (a, b) = (AccountId::generate(), AccountId::generate());
        let (x, y) = (MessageId::generate(), MessageId::generate());
        let (older, newer) = (x.min(y), x.max(y));
        let items = vec![
            (0, read(c, a, newer, Some(2))),
            (1, read(c, a, older, Some(1))),
            (2, read(c, b, older, Some(1))),
            (3, read(d, a, newer, None)),
        ];
        let folds = group_horizons(&items);
        assert_eq!(
            folds.len(),
            1,
            "a two-person receipt is already on its conversation"
        );
        let folding = &folds[&c];
        assert_eq!(folding.records, [0, 1, 2]);
        assert_eq!(folding.readers[&a].through, newer);
        assert_eq!(folding.readers[&a].count, 2);
        assert_eq!(folding.readers[&b].count, 1);
    }
}
