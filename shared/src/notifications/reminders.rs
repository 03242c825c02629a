//! Unread reminders: one SMS (email when there is no phone) to a patient who has not read
//! a staff message after the practice's `unread_reminder_minutes`, at most one per
//! conversation until they read it.
//!
//! Rules: a staff message (sender not a patient participant) in a secure conversation
//! starts an unread run for each patient participant unless one is running; the run's
//! reminder is due `unread_reminder_minutes` after that first message (0: at once, sent by
//! the stream consumer itself; never: none). The patient's read ends the run (a read of
//! any message in the conversation: the horizon only moves when they open it). Messages
//! the patient sent start nothing. An opted-out number gets no SMS (email if known, else
//! nothing).
//!
//! Scheduling: a due index, not one scheduler entry per run. The run's state item
//! (`CONV#c` / `N#a`) carries GSI3 `REMIND#DUE` / `<due>#c#a` while a reminder waits, and a
//! scheduled function ([`sweep`], every minute; every few seconds in the dev server)
//! Queries what is due. Why: starting and ending a run are single conditional writes on
//! the item the consumer already touches (an EventBridge Scheduler schedule would need a
//! create and a delete API call per run, an IAM role to pass, and has no local emulation),
//! a read cancels a reminder by removing two attributes, and the whole mechanism runs on
//! DynamoDB Local alone. Its price is up to a minute of lateness, fine for a reminder.
//!
//! Never twice for one run: sending starts with a conditional claim that takes the item
//! out of the index (exactly one sweeper or consumer wins it); a failed send puts it back
//! for the next sweep; a crash after the send leaves it claimed (sent at most once).
//!
//! Round trips: schedule 1 UpdateItem; reset 1 UpdateItem; sweep 1 Query, then per
//! reminder 1 UpdateItem (claim), 1 BatchGetItem (practice), 1 GetItem (profile), 1
//! GetItem (opt-out), the send, 1 UpdateItem (finish).

use super::model::{ConversationFacts, DueReminder, NewMessage, ParticipantRole, PracticeFacts};
use super::texts::{reminder_email, reminder_sms};
use crate::adapters::dynamo::StoreError;
use crate::domain::ids::AccountId;
use crate::ports::notifications::NotifyStore;
use crate::ports::{Email, SendError, Sms};

/// The reminders a new message starts (before the "already running" check of the store).
pub fn runs_started_by(
    conversation: &ConversationFacts,
    practice: &PracticeFacts,
    message: &NewMessage,
) -> Vec<DueReminder> {
    let from_patient = message
        .sender
        .account()
        .and_then(|a| conversation.role_of(&a))
        == Some(ParticipantRole::Patient);
    let Some(due_ms) = practice.reminders.due_at(message.sent_at) else {
        return vec![];
    };
    if !conversation.secure || from_patient {
        return vec![];
    }
    conversation
        .participants
        .iter()
        .filter(|(a, role)| *role == ParticipantRole::Patient && !message.sender.is_account(a))
        .map(|(account, _)| DueReminder {
            conversation: conversation.id,
            account: *account,
            org: conversation.org,
            due_ms,
        })
        .collect()
}

/// Whether a read by `reader` ends their unread run (patients only have runs).
pub fn read_ends_run(conversation: &ConversationFacts, reader: &AccountId) -> bool {
    conversation.role_of(reader) == Some(ParticipantRole::Patient)
}

/// The senders a reminder goes out through, and the link it carries.
pub struct ReminderChannels<'a> {
    pub sms: &'a dyn Sms,
    pub email: &'a dyn Email,
    /// The app link (the public link domain, which opens the app or its store page).
    pub app_link: &'a str,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reminded {
    Sms,
    Email,
    /// Claimed and deliberately not sent (opted out with no email, no address).
    Skipped(&'static str),
    /// Another delivery took it, or the patient read in the meantime.
    NotDue,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ReminderFailure {
    /// The send failed; the reminder is back in the index for the next sweep.
    #[error("the message gateway is unavailable")]
    Unavailable,
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Claims and sends one due reminder.
pub async fn deliver(
    store: &impl NotifyStore,
    channels: &ReminderChannels<'_>,
    reminder: &DueReminder,
    now_ms: i64,
) -> Result<Reminded, ReminderFailure> {
    if !store.claim_reminder(reminder, now_ms).await? {
        return Ok(Reminded::NotDue);
    }
    match send(store, channels, reminder).await {
        Ok(outcome) => {
            let label = match &outcome {
                Reminded::Sms => "sms",
                Reminded::Email => "email",
                Reminded::Skipped(why) => why,
                Reminded::NotDue => "not_due",
            };
            store.finish_reminder(reminder, label).await?;
            Ok(outcome)
        }
        Err(e) => {
            store.release_reminder(reminder).await?;
            Err(e)
        }
    }
}

async fn send(
    store: &impl NotifyStore,
    channels: &ReminderChannels<'_>,
    reminder: &DueReminder,
) -> Result<Reminded, ReminderFailure> {
    let practice = store
        .practices(std::slice::from_ref(&reminder.org))
        .await?
        .remove(&reminder.org);
    let Some(practice) = practice else {
        return Ok(Reminded::Skipped("no_practice"));
    };
    let Some(recipient) = store.recipient(&reminder.account).await? else {
        return Ok(Reminded::Skipped("no_account"));
    };
    if let Some(phone) = &recipient.phone {
        if !store.sms_opted_out(&reminder.org, phone).await? {
            let text = reminder_sms(&practice.name, channels.app_link);
            return match channels.sms.send_sms(phone, &text).await {
                Ok(()) => Ok(Reminded::Sms),
                Err(SendError::OptedOut) => Ok(Reminded::Skipped("opted_out")),
                Err(SendError::Unavailable) => Err(ReminderFailure::Unavailable),
            };
        }
    }
    let Some(email) = &recipient.email else {
        let why = if recipient.phone.is_some() {
            "opted_out"
        } else {
            "no_address"
        };
        return Ok(Reminded::Skipped(why));
    };
    let (subject, body) = reminder_email(&practice.name, channels.app_link);
    match channels.email.send_email(email, &subject, &body).await {
        Ok(()) => Ok(Reminded::Email),
        Err(SendError::OptedOut) => Ok(Reminded::Skipped("suppressed")),
        Err(SendError::Unavailable) => Err(ReminderFailure::Unavailable),
    }
}

/// Reminders per sweep page (the scheduled function loops while pages are full).
pub const SWEEP_PAGE: i32 = 100;

/// Sends every reminder due at `now_ms`; returns (sent or skipped, failed). Failures stay
/// in the index for the next sweep.
pub async fn sweep(
    store: &impl NotifyStore,
    channels: &ReminderChannels<'_>,
    now_ms: i64,
) -> Result<(usize, usize), StoreError> {
    let (mut done, mut failed) = (0, 0);
    for _ in 0..50 {
        let due = store.due_reminders(now_ms, SWEEP_PAGE).await?;
        let full = due.len() as i32 == SWEEP_PAGE;
        let results =
            futures::future::join_all(due.iter().map(|r| deliver(store, channels, r, now_ms)))
                .await;
        for r in results {
            match r {
                Ok(Reminded::NotDue) => {}
                Ok(_) => done += 1,
                Err(ReminderFailure::Unavailable) => failed += 1,
                Err(ReminderFailure::Store(e)) => return Err(e),
            }
        }
        if !full || failed > 0 {
            break;
        }
    }
    Ok((done, failed))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::ids::{ConversationId, MessageId, OrgId};
    use crate::notifications::model::ReminderSetting;

    fn facts() -> (ConversationFacts, AccountId, AccountId) {
        let (staff, patient) = (AccountId::generate(), AccountId::generate());
        let c = ConversationFacts {
            id: ConversationId::generate(),
            org: OrgId::generate(),
            secure: true,
            participants: vec![
                (patient, ParticipantRole::Patient),
                (staff, ParticipantRole::Staff),
            ],
            read_at: Default::default(),
        };
        (c, staff, patient)
    }

    fn practice(reminders: ReminderSetting) -> PracticeFacts {
        PracticeFacts {
            id: OrgId::generate(),
            name: "Maple Clinic".into(),
            reminders,
        }
    }

    fn message(sender: AccountId) -> NewMessage {
        NewMessage {
            conversation: ConversationId::generate(),
            message: MessageId::generate(),
            sender: sender.into(),
            sent_at: 1_000,
        }
    }

    #[test]
    fn a_staff_message_starts_a_run_for_each_patient() {
        let (c, staff, patient) = facts();
        let runs = runs_started_by(&c, &practice(ReminderSetting::After(60)), &message(staff));
        assert_eq!(runs.len(), 1);
        assert_eq!(
            (runs[0].account, runs[0].due_ms),
            (patient, 1_000 + 3_600_000)
        );
        // Staff outside the participants (the practice inbox) count as staff too.
        let outsider = AccountId::generate();
        assert_eq!(
            runs_started_by(&c, &practice(ReminderSetting::After(0)), &message(outsider))[0].due_ms,
            1_000
        );
    }

    #[test]
    fn patients_own_messages_and_never_start_nothing() {
        let (c, staff, patient) = facts();
        assert!(
            runs_started_by(&c, &practice(ReminderSetting::After(0)), &message(patient)).is_empty()
        );
        assert!(runs_started_by(&c, &practice(ReminderSetting::Never), &message(staff)).is_empty());
        assert!(read_ends_run(&c, &patient));
        assert!(!read_ends_run(&c, &staff));
    }
}
