//! Unread reminders: one per unread run, reset by reading, never for the patient's own
//! messages, never twice under retries or overlapping sweeps.

use super::{org_of, Notify};
use async_trait::async_trait;
use canopy_shared::domain::contact_info::PhoneNumber;
use canopy_shared::ports::{Clock, ManualClock, SendError, Sms};
use canopy_tests::moto::sms_to;
use serde_json::json;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

fn reminders(phone: &str) -> Vec<String> {
    sms_to(phone)
        .into_iter()
        .filter(|t| t.contains("not read yet"))
        .collect()
}

async fn sweep(n: &Notify) -> serde_json::Value {
    canopy_local::event_functions::invoke("RemindersFunction", &n.h.app, json!({}))
        .await
        .expect("a known function")
        .expect("the sweep ran")
}

#[tokio::test]
async fn at_once_one_reminder_per_unread_run_and_reading_resets_it() {
    let mut n = Notify::new().await;
    let (staff, patient, conv) = n.practice_with_patient("Maple Clinic").await;
    n.reminder_minutes(&staff, Some(0)).await;
    let phone = n.phone_of(&patient).await;

    n.post(&staff.token, &conv, "Please call us about your results")
        .await;
    n.drain().await;
    let sent = reminders(&phone);
    assert_eq!(sent.len(), 1, "{sent:?}");
    let link = &n.h.app.settings.link_base_url;
    assert_eq!(
        sent[0],
        format!("Maple Clinic sent you a secure message you have not read yet. Open Canopy to read it: {link}")
    );

    let second = n.post(&staff.token, &conv, "Second note").await;
    n.drain().await;
    assert_eq!(
        reminders(&phone).len(),
        1,
        "no second reminder in the same unread run"
    );

    n.read(&patient.token, &conv, &second).await;
    n.drain().await;
    n.post(&staff.token, &conv, "A new question").await;
    n.drain().await;
    assert_eq!(
        reminders(&phone).len(),
        2,
        "reading ended the run; a new one starts"
    );
}

#[tokio::test]
async fn the_patients_own_messages_never_and_opted_out_numbers_get_no_reminder() {
    let mut n = Notify::new().await;
    let (staff, patient, conv) = n.practice_with_patient("Larch Clinic").await;
    let phone = n.phone_of(&patient).await;
    n.reminder_minutes(&staff, Some(0)).await;
    n.post(&patient.token, &conv, "A question from me").await;
    n.drain().await;
    assert!(reminders(&phone).is_empty(), "the patient's own message");

    n.reminder_minutes(&staff, None).await;
    n.post(&staff.token, &conv, "An answer").await;
    n.drain().await;
    assert!(reminders(&phone).is_empty(), "null = never");

    // STOP on the practice's texts: no SMS (and no email on file: nothing at all).
    let (staff2, patient2, conv2) = n.practice_with_patient("Spruce Clinic").await;
    n.reminder_minutes(&staff2, Some(0)).await;
    let phone2 = n.phone_of(&patient2).await;
    write_opt_out(&n, &staff2, &phone2).await;
    n.post(&staff2.token, &conv2, "Hello").await;
    n.drain().await;
    assert!(reminders(&phone2).is_empty(), "opted out");
}

async fn write_opt_out(n: &Notify, staff: &canopy_tests::fixtures::Staff, phone: &str) {
    use canopy_shared::adapters::dynamo::{keys, s};
    n.h.db
        .put_item()
        .table_name(n.h.app.table())
        .item("pk", s(keys::thread_pk(&org_of(staff), "sms", phone)))
        .item("sk", s(keys::THREAD_SK))
        .item(
            "opted_out",
            aws_sdk_dynamodb::types::AttributeValue::Bool(true),
        )
        .send()
        .await
        .unwrap();
}

#[tokio::test]
async fn a_later_reminder_goes_out_from_the_sweep_exactly_once() {
    let clock = Arc::new(ManualClock::new(1_800_000_000_000));
    let mut n = Notify::with_clock(clock.clone()).await;
    let (staff, patient, conv) = n.practice_with_patient("Oak Clinic").await;
    let phone = n.phone_of(&patient).await;
    // No setting stored: the default, 60 minutes.
    n.post(&staff.token, &conv, "See you Tuesday").await;
    n.drain().await;
    assert_eq!(sweep(&n).await["done"], 0, "not due yet");
    assert!(reminders(&phone).is_empty());

    clock.advance_ms(61 * 60_000);
    let (a, b) = tokio::join!(sweep(&n), sweep(&n));
    assert_eq!(a["done"].as_u64().unwrap() + b["done"].as_u64().unwrap(), 1);
    assert_eq!(sweep(&n).await["done"], 0);
    // The message's record delivered again (a retry) starts nothing new.
    n.drain().await;
    assert_eq!(reminders(&phone).len(), 1);
}

#[tokio::test]
async fn a_practice_setting_of_thirty_minutes_makes_the_reminder_due_then() {
    let clock = Arc::new(ManualClock::new(1_800_000_000_000));
    let mut n = Notify::with_clock(clock.clone()).await;
    let (staff, patient, conv) = n.practice_with_patient("Rowan Clinic").await;
    let phone = n.phone_of(&patient).await;
    n.reminder_minutes(&staff, Some(30)).await;
    n.post(&staff.token, &conv, "Your lab slip is ready").await;
    n.drain().await;
    clock.advance_ms(29 * 60_000);
    assert_eq!(sweep(&n).await["done"], 0, "not due before 30 minutes");
    clock.advance_ms(60_000);
    assert_eq!(
        sweep(&n).await["done"],
        1,
        "due at 30 minutes, not the default 60"
    );
    assert_eq!(reminders(&phone).len(), 1);
}

/// While armed, the next SMS fails (gateway down); the rest go through.
struct NextSmsFails(Arc<dyn Sms>, Arc<AtomicBool>);

#[async_trait]
impl Sms for NextSmsFails {
    async fn send_sms(&self, to: &PhoneNumber, text: &str) -> Result<(), SendError> {
        if self.1.swap(false, Ordering::SeqCst) {
            return Err(SendError::Unavailable);
        }
        self.0.send_sms(to, text).await
    }
}

#[tokio::test]
async fn a_failed_reminder_is_retried_by_the_next_sweep_and_sent_once() {
    let clock = Arc::new(ManualClock::new(1_800_000_000_000));
    let armed = Arc::new(AtomicBool::new(false));
    let (c, a) = (clock.clone(), armed.clone());
    let mut n = Notify::build(move |app| {
        app.clock = c as Arc<dyn Clock>;
        app.sms = Arc::new(NextSmsFails(app.sms.clone(), a));
    })
    .await;
    let (staff, patient, conv) = n.practice_with_patient("Yew Clinic").await;
    let phone = n.phone_of(&patient).await;
    n.reminder_minutes(&staff, Some(0)).await;
    armed.store(true, Ordering::SeqCst);
    n.post(&staff.token, &conv, "Your form").await;
    n.drain().await;
    assert!(
        !armed.load(Ordering::SeqCst),
        "the consumer tried to send at once"
    );
    assert!(reminders(&phone).is_empty(), "and the send failed");
    clock.advance_ms(1_000);
    assert_eq!(
        sweep(&n).await["done"],
        1,
        "back in the due index, sent by the sweep"
    );
    assert_eq!(sweep(&n).await["done"], 0);
    n.drain().await;
    assert_eq!(reminders(&phone).len(), 1);
}
