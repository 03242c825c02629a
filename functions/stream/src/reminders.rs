//! The consumer's part of unread reminders, in stream order: a staff message starts the
//! patients' unread runs (1 UpdateItem each; sent at once when the practice says 0
//! minutes), a patient's read ends theirs (1 UpdateItem). Later reminders go out from the
//! scheduled sweep (`functions/reminders`). See `canopy_shared::notifications::reminders`.

use crate::changes::Change;
use crate::notify::Item;
use canopy_shared::domain::ids::{ConversationId, OrgId};
use canopy_shared::notifications::model::{ConversationFacts, NewMessage, PracticeFacts};
use canopy_shared::notifications::reminders::{
    deliver, read_ends_run, runs_started_by, ReminderChannels, ReminderFailure,
};
use canopy_shared::ports::notifications::NotifyStore;
use canopy_shared::App;
use std::collections::{BTreeSet, HashMap};

pub async fn run(
    app: &App,
    items: &[Item],
    facts: &HashMap<ConversationId, ConversationFacts>,
    practices: &HashMap<OrgId, PracticeFacts>,
    now_ms: i64,
) -> BTreeSet<usize> {
    let channels = ReminderChannels {
        sms: app.sms.as_ref(),
        email: app.email.as_ref(),
        app_link: &app.settings.link_base_url,
    };
    let mut failed = BTreeSet::new();
    for (i, s) in items {
        let Some(f) = facts.get(&s.change.conversation()) else {
            continue;
        };
        let result = match &s.change {
            Change::Message {
                conversation,
                message,
                sender,
                sent_at,
            } => {
                let Some(practice) = practices.get(&f.org) else {
                    continue;
                };
                let new = NewMessage {
                    conversation: *conversation,
                    message: *message,
                    sender: *sender,
                    sent_at: *sent_at,
                };
                start_runs(app, &channels, f, practice, &new, now_ms).await
            }
            Change::Read {
                conversation,
                reader,
                ..
            } if read_ends_run(f, reader) => app.store.reset_reminder(conversation, reader).await,
            _ => Ok(()),
        };
        if let Err(e) = result {
            tracing::warn!(error = %e, "reminder bookkeeping will be retried");
            failed.insert(*i);
        }
    }
    failed
}

async fn start_runs(
    app: &App,
    channels: &ReminderChannels<'_>,
    conversation: &ConversationFacts,
    practice: &PracticeFacts,
    message: &NewMessage,
    now_ms: i64,
) -> Result<(), canopy_shared::adapters::dynamo::StoreError> {
    for run in runs_started_by(conversation, practice, message) {
        if !app.store.schedule_reminder(&run).await? || run.due_ms > now_ms {
            continue;
        }
        match deliver(&app.store, channels, &run, now_ms).await {
            Ok(outcome) => tracing::info!(?outcome, "unread reminder"),
            // Back in the due index: the sweep sends it.
            Err(ReminderFailure::Unavailable) => {}
            Err(ReminderFailure::Store(e)) => return Err(e),
        }
    }
    Ok(())
}
