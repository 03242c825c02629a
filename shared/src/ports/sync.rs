//! Storage port of the change feed and the participant inbox rows the stream consumer
//! maintains (`crate::sync`).

use crate::adapters::dynamo::StoreError;
use crate::conversations::ReadState;
use crate::domain::ids::{AccountId, ConversationId};
use crate::sync::model::{FeedEntry, FeedHead, InboxProjection};
use async_trait::async_trait;
use std::collections::HashMap;

/// Why an append did not commit.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AppendError {
    /// Another writer moved the head since it was read: read it again and retry.
    #[error("the feed head moved")]
    Stale,
    #[error(transparent)]
    Store(#[from] StoreError),
}

#[async_trait]
pub trait SyncStore: Send + Sync {
    /// The feed heads of these accounts (absent: a feed not started yet).
    async fn heads(
        &self,
        accounts: &[AccountId],
    ) -> Result<HashMap<AccountId, FeedHead>, StoreError>;
    /// Appends `entries` (numbered from `head.seq + 1`) and moves the head to `next`, in
    /// one transaction conditioned on the head still being `head`.
    async fn append(
        &self,
        account: &AccountId,
        head: &FeedHead,
        next: &FeedHead,
        entries: &[FeedEntry],
    ) -> Result<(), AppendError>;
    /// Entries with `seq >= from`, ascending, at most `limit` (one Query).
    async fn entries(
        &self,
        account: &AccountId,
        from: u64,
        limit: i32,
    ) -> Result<Vec<FeedEntry>, StoreError>;
    /// Writes the participant's inbox row from the conversation's newest meta image,
    /// unless the row is missing or already holds a newer image; true if written.
    async fn project_inbox_row(
        &self,
        conversation: &ConversationId,
        account: &AccountId,
        projection: &InboxProjection,
    ) -> Result<bool, StoreError>;
    /// Folds group readers' own horizons (their receipts' `through` and `count`) into the
    /// conversation's `reads` / `read_counts`, where each is further than the stored one;
    /// idempotent, and a missing conversation is skipped.
    async fn fold_horizons(
        &self,
        conversation: &ConversationId,
        horizons: &[(AccountId, ReadState)],
    ) -> Result<(), StoreError>;
}
