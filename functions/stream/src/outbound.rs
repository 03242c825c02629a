//! Sending new outbound standard messages (see `canopy_shared::standard::send`): one
//! BatchGetItem for the whole batch, then per message the provider call and one write.

use aws_lambda_events::event::dynamodb::EventRecord;
use canopy_shared::standard::model::MessageRef;
use canopy_shared::standard::send::{send_all, Senders, Sent};
use canopy_shared::App;

/// Sends the messages; returns the records whose send must be retried.
pub async fn send<'a>(app: &App, work: &[(&'a EventRecord, MessageRef)]) -> Vec<&'a EventRecord> {
    if work.is_empty() {
        return vec![];
    }
    let refs: Vec<MessageRef> = work.iter().map(|(_, m)| *m).collect();
    let ports = Senders {
        store: &app.store,
        sms: app.channels.sms.as_ref(),
        email: app.channels.email.as_ref(),
        clock: app.clock.as_ref(),
    };
    let results = send_all(&ports, &refs).await;
    let mut failed = Vec::new();
    for ((record, message), result) in work.iter().zip(results) {
        match result {
            Ok(Sent::Sent(_)) => {
                tracing::info!(message_id = %message.message_id, "standard message sent")
            }
            Ok(Sent::AlreadyHandled | Sent::Missing) => {}
            Ok(Sent::Failed(reason)) => {
                tracing::warn!(message_id = %message.message_id, reason, "standard message failed")
            }
            Err(e) => {
                tracing::warn!(message_id = %message.message_id, error = %e, "send will be retried");
                failed.push(*record);
            }
        }
    }
    failed
}
