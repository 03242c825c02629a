//! # fn-stream: the one consumer of the table's stream
//!
//! DynamoDB Streams → this Lambda, through an event source mapping whose FilterCriteria
//! (in `template.yaml`, applied the same way by the dev server) lets through only what a
//! handler here wants: today new outbound standard messages (`INSERT` of an `M#` item with
//! `direction = outbound` and `delivery.status = queued`). Issue 11 adds push and sync
//! handlers beside it: [`dispatch`] sorts each record to its [`dispatch::Work`], and each
//! kind of work has its own module. Issue 11's notification and sync work (pushes, unread
//! reminders, the change feed, patient inbox rows) reads every record through `notify`
//! (`changes` → `sync`, `push`, `reminders`); its filter patterns are in the template too.
//!
//! Partial batch failures (`FunctionResponseTypes: ReportBatchItemFailures`): a record
//! whose work failed for a reason that may pass (provider throttled, table unavailable)
//! is reported by its sequence number, so Lambda retries from it; records after it may
//! come again, which every handler tolerates (idempotent on the message id). A malformed
//! or unknown record is logged without PHI (event id only) and skipped, never retried
//! forever.

mod changes;
pub mod dispatch;
mod fold;
mod notify;
mod outbound;
mod push;
mod reminders;
mod sync;

use aws_lambda_events::event::dynamodb::Event;
use aws_lambda_events::event::streams::{DynamoDbBatchItemFailure, DynamoDbEventResponse};
use canopy_shared::App;
use dispatch::Work;

pub type Error = lambda_runtime::Error;

pub async fn handle(app: &App, event: Event) -> Result<DynamoDbEventResponse, Error> {
    let mut outbound = Vec::new();
    for record in &event.records {
        match dispatch::classify(record) {
            Work::SendStandard(message) => outbound.push((record, message)),
            Work::Ignore => {}
            Work::Malformed(why) => {
                tracing::warn!(event_id = %record.event_id, why, "skipping a malformed stream record");
            }
        }
    }
    let mut failed = outbound::send(app, &outbound).await;
    failed.extend(notify::handle(app, &event.records).await);
    failed.sort_by_key(|r| r.event_id.as_str());
    failed.dedup_by_key(|r| r.event_id.as_str());
    let mut response = DynamoDbEventResponse::default();
    for record in failed {
        let mut failure = DynamoDbBatchItemFailure::default();
        failure.item_identifier = record.change.sequence_number.clone();
        response.batch_item_failures.push(failure);
    }
    Ok(response)
}
