//! Notifications and sync for one batch of stream records (issue 11): reads the
//! conversations (1 BatchGetItem) and, when there are new messages, their practices (1
//! BatchGetItem), then runs the inbox-row projection ([`crate::sync`]), the fold of group
//! readers' horizons ([`crate::fold`]), the feed appends
//! ([`crate::sync`]) and the pushes ([`crate::push`]) concurrently, and the reminder
//! runs ([`crate::reminders`]) in stream order. Each is idempotent on the record, so the
//! records it reports as failed may be delivered again whole.

use crate::changes::{self, Change, Sourced};
use aws_lambda_events::event::dynamodb::EventRecord;
use canopy_shared::adapters::dynamo::StoreError;
use canopy_shared::domain::ids::{ConversationId, OrgId};
use canopy_shared::ports::notifications::NotifyStore;
use canopy_shared::App;
use std::collections::{BTreeSet, HashMap};

/// Index of the record in the batch, and its change.
pub type Item = (usize, Sourced);

/// Handles the records' notification and sync work; returns the records to retry.
pub async fn handle<'a>(app: &App, records: &'a [EventRecord]) -> Vec<&'a EventRecord> {
    let mut items: Vec<Item> = Vec::new();
    for (i, record) in records.iter().enumerate() {
        match changes::parse(record) {
            Ok(Some(c)) => items.push((i, c)),
            Ok(None) => {}
            Err(why) => {
                tracing::warn!(event_id = %record.event_id, why, "skipping a malformed stream record")
            }
        }
    }
    if items.is_empty() {
        return vec![];
    }
    let failed = match run(app, &items).await {
        Ok(failed) => failed,
        Err(e) => {
            tracing::warn!(error = %e, "notification batch will be retried");
            items.iter().map(|(i, _)| *i).collect()
        }
    };
    failed.into_iter().map(|i| &records[i]).collect()
}

fn unique<T: Ord + Copy>(values: impl Iterator<Item = T>) -> Vec<T> {
    values.collect::<BTreeSet<T>>().into_iter().collect()
}

async fn run(app: &App, items: &[Item]) -> Result<BTreeSet<usize>, StoreError> {
    let conversations: Vec<ConversationId> =
        unique(items.iter().map(|(_, s)| s.change.conversation()));
    let facts = app.store.conversations(&conversations).await?;
    let has_messages = items
        .iter()
        .any(|(_, s)| matches!(s.change, Change::Message { .. }));
    let practices = if has_messages {
        let orgs: Vec<OrgId> = unique(facts.values().map(|f| f.org));
        app.store.practices(&orgs).await?
    } else {
        HashMap::new()
    };
    let now = app.now_ms();
    let (rows, folds, feeds, pushes) = tokio::join!(
        crate::sync::project_inboxes(app, items),
        crate::fold::fold_group_horizons(app, items),
        crate::sync::append_feeds(app, items, &facts, now),
        crate::push::send(app, items, &facts, &practices, now),
    );
    let mut failed = rows;
    failed.extend(folds);
    failed.extend(feeds);
    failed.extend(pushes);
    failed.extend(crate::reminders::run(app, items, &facts, &practices, now).await);
    Ok(failed)
}
