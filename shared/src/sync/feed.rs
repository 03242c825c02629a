//! The feed's two use cases: appending changes for one account (the stream consumer) and
//! reading a page (`GET /v1/sync`).
//!
//! Gap-free by construction: an append numbers its entries from the head it read and
//! commits them with the head's move in one TransactWriteItems conditioned on the head
//! being unchanged, so a number is never given out without its entry, nor twice. A page is
//! one Query from the cursor's own entry onwards; it stops before any hole (an append
//! still in flight when the Query passed) so a client never skips a number.
//!
//! Round trips: append: 1 TransactWriteItems (+ 1 BatchGetItem of the heads per batch,
//! and a re-read and retry when another writer moved the head); page: 1 Query.

use super::model::{FeedEntry, FeedHead, SourcedChange, RETENTION_MS};
use crate::adapters::dynamo::StoreError;
use crate::domain::ids::AccountId;
use crate::ports::sync::{AppendError, SyncStore};

/// The head and entries after appending `changes` (in stream order) to `head`, skipping
/// the changes already applied (a redelivered record).
pub fn plan(head: &FeedHead, changes: &[&SourcedChange]) -> (FeedHead, Vec<FeedEntry>) {
    let mut next = head.clone();
    next.exists = true;
    let mut entries = Vec::new();
    for c in changes {
        if next
            .applied
            .get(&c.conversation)
            .is_some_and(|done| done.as_str() >= c.source.as_str())
        {
            continue;
        }
        next.seq += 1;
        next.applied.insert(c.conversation, c.source.clone());
        entries.push(FeedEntry {
            seq: next.seq,
            conversation: c.conversation,
            at: c.at,
            change: c.change.clone(),
        });
    }
    (next, entries)
}

/// Most entries one append commits (with the head, within a transaction's 100 items).
pub const MAX_APPEND: usize = 99;

/// Appends `changes` to `account`'s feed, starting from `head` as read; re-reads the head
/// and tries again when another writer moved it (bounded).
pub async fn append(
    store: &impl SyncStore,
    account: &AccountId,
    mut head: FeedHead,
    changes: &[&SourcedChange],
) -> Result<(), StoreError> {
    for chunk in changes.chunks(MAX_APPEND) {
        let mut attempts = 0;
        loop {
            let (next, entries) = plan(&head, chunk);
            if entries.is_empty() {
                break;
            }
            match store.append(account, &head, &next, &entries).await {
                Ok(()) => {
                    head = next;
                    break;
                }
                Err(AppendError::Stale) if attempts < 10 => {
                    attempts += 1;
                    head = store
                        .heads(std::slice::from_ref(account))
                        .await?
                        .remove(account)
                        .unwrap_or_default();
                }
                Err(AppendError::Stale) => return Err(StoreError::Conflict),
                Err(AppendError::Store(e)) => return Err(e),
            }
        }
    }
    Ok(())
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FeedError {
    /// The cursor is older than the retention window (or was never given out): resync
    /// from the inbox.
    #[error("the cursor is no longer served")]
    Gone,
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// One page of the feed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FeedPage {
    pub items: Vec<FeedEntry>,
    /// Where to read from next: the last entry returned (or the cursor given).
    pub next_cursor: u64,
    /// Whether more entries were already there.
    pub has_more: bool,
}

/// The entries after `after` (0: from the start of the feed), at most `limit`.
pub async fn page(
    store: &impl SyncStore,
    account: &AccountId,
    after: u64,
    limit: usize,
    now_ms: i64,
) -> Result<FeedPage, FeedError> {
    // The cursor's own entry comes first (it proves the cursor is still served), and one
    // more than the page tells whether there is more.
    let from = after.max(1);
    let extra = if after == 0 { 1 } else { 2 };
    let rows = store.entries(account, from, (limit + extra) as i32).await?;
    paginate(rows, after, limit, now_ms)
}

/// The page from the rows of `seq >= max(after, 1)`, in order.
pub fn paginate(
    rows: Vec<FeedEntry>,
    after: u64,
    limit: usize,
    now_ms: i64,
) -> Result<FeedPage, FeedError> {
    let oldest_served = now_ms - RETENTION_MS;
    let mut rows = rows.into_iter().peekable();
    match rows.peek() {
        // Nothing at or after the cursor: a feed not started yet is fine from 0; any
        // other cursor was never given out or has been cleaned up.
        None if after == 0 => {
            return Ok(FeedPage {
                items: vec![],
                next_cursor: 0,
                has_more: false,
            })
        }
        None => return Err(FeedError::Gone),
        Some(first) => {
            let expected = after.max(1);
            if first.seq != expected || first.at < oldest_served {
                return Err(FeedError::Gone);
            }
        }
    }
    if after > 0 {
        rows.next();
    }
    let mut items = Vec::new();
    let mut has_more = false;
    for (expected, row) in (after + 1..).zip(rows) {
        if row.seq != expected {
            break; // a hole: an append in flight; the next poll fills it
        }
        if items.len() == limit {
            has_more = true;
            break;
        }
        items.push(row);
    }
    let next_cursor = items.last().map_or(after, |e| e.seq);
    Ok(FeedPage {
        items,
        next_cursor,
        has_more,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::ids::{ConversationId, MessageId};
    use crate::sync::model::FeedChange;

    fn entry(seq: u64, at: i64) -> FeedEntry {
        FeedEntry {
            seq,
            conversation: ConversationId::generate(),
            at,
            change: FeedChange::Read {
                reader_id: AccountId::generate(),
                message_id: MessageId::generate(),
            },
        }
    }

    fn change(conversation: ConversationId, source: &str) -> SourcedChange {
        SourcedChange {
            conversation,
            source: source.into(),
            at: 1,
            change: FeedChange::Message {
                message_id: MessageId::generate(),
                sender_id: AccountId::generate().into(),
            },
            recipients: vec![],
        }
    }

    #[test]
    fn plan_numbers_from_the_head_and_skips_what_was_applied() {
        let c = ConversationId::generate();
        let d = ConversationId::generate();
        let (a, b, e) = (change(c, "01"), change(c, "02"), change(d, "03"));
        let (head, entries) = plan(&FeedHead::default(), &[&a, &b]);
        assert_eq!(
            entries.iter().map(|e| e.seq).collect::<Vec<_>>(),
            vec![1, 2]
        );
        // Redelivered b, then new e: only e is appended, as number 3.
        let (head, entries) = plan(&head, &[&b, &e]);
        assert_eq!(entries.len(), 1);
        assert_eq!((entries[0].seq, entries[0].conversation), (3, d));
        assert_eq!(head.seq, 3);
    }

    #[test]
    fn a_page_is_contiguous_from_the_cursor() {
        let now = RETENTION_MS * 2;
        let rows = vec![entry(3, now), entry(4, now), entry(5, now), entry(7, now)];
        let page = paginate(rows, 3, 10, now).unwrap();
        assert_eq!(
            page.items.iter().map(|e| e.seq).collect::<Vec<_>>(),
            vec![4, 5]
        );
        assert_eq!(page.next_cursor, 5);
        let rows = vec![entry(1, now), entry(2, now), entry(3, now)];
        let page = paginate(rows, 0, 2, now).unwrap();
        assert_eq!(
            (page.items.len(), page.has_more, page.next_cursor),
            (2, true, 2)
        );
    }

    #[test]
    fn old_or_unknown_cursors_are_gone() {
        let now = RETENTION_MS * 2;
        assert_eq!(
            paginate(
                vec![entry(3, now - RETENTION_MS - 1), entry(4, now)],
                3,
                10,
                now
            ),
            Err(FeedError::Gone)
        );
        assert_eq!(
            paginate(vec![entry(4, now)], 3, 10, now),
            Err(FeedError::Gone)
        );
        assert_eq!(paginate(vec![], 3, 10, now), Err(FeedError::Gone));
        assert_eq!(
            paginate(vec![entry(2, now)], 0, 10, now),
            Err(FeedError::Gone)
        );
        assert_eq!(paginate(vec![], 0, 10, now).unwrap().items.len(), 0);
        let caught_up = paginate(vec![entry(3, now)], 3, 10, now).unwrap();
        assert_eq!((caught_up.items.len(), caught_up.next_cursor), (0, 3));
    }
}
