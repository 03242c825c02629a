//! Pushes: one per new message to every other participant's devices, naming only the
//! practice, coalesced, retried on an SNS failure without holding up other recipients.

use super::{endpoint_of, pushes_to, Notify};
use async_trait::async_trait;
use canopy_shared::domain::ids::AccountId;
use canopy_shared::notifications::model::{Platform, PushToken};
use canopy_shared::ports::notifications::{DeviceStore, PushError, PushGateway};
use serde_json::{json, Value};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

#[tokio::test]
async fn a_staff_post_pushes_once_to_the_patient_naming_only_the_practice() {
    let mut n = Notify::new().await;
    let staff = n.h.new_practice("Maple Clinic").await;
    let patient = n.h.new_patient(&staff, "Robin Vale").await;
    let conv =
        n.h.new_conversation(&staff, &[&patient.contact_id, &staff.account_id], None)
            .await;
    let (_, patient_ios) = n.device(&patient.token, "ios").await;
    let (_, patient_android) = n.device(&patient.token, "android").await;
    let (_, staff_phone) = n.device(&staff.token, "android").await;
    n.drain().await;

    n.post(
        &staff.token,
        &conv,
        "Your biopsy results from Dr. Owner are ready",
    )
    .await;
    n.drain().await;

    let pushes = pushes_to(&patient_ios);
    assert_eq!(pushes.len(), 1, "exactly one push: {pushes:?}");
    assert_eq!(pushes_to(&patient_android).len(), 1);
    assert!(
        pushes_to(&staff_phone).is_empty(),
        "the sender's own devices get nothing"
    );

    // Snapshot of what reached SNS: the practice name and the conversation id, nothing else.
    let payload: Value = serde_json::from_str(&pushes[0]).unwrap();
    let apns: Value = serde_json::from_str(payload["APNS"].as_str().unwrap()).unwrap();
    let fcm: Value = serde_json::from_str(payload["GCM"].as_str().unwrap()).unwrap();
    assert_eq!(payload["default"], "New message from Maple Clinic");
    assert_eq!(
        apns,
        json!({"aps": {"alert": "New message from Maple Clinic", "sound": "default", "thread-id": conv},
               "conversation_id": conv})
    );
    assert_eq!(
        fcm,
        json!({"notification": {"title": "Maple Clinic", "body": "New message from Maple Clinic"},
               "data": {"conversation_id": conv}})
    );
    for secret in ["biopsy", "results", "Follow-up", "Robin", "Vale", "Owner"] {
        assert!(!pushes[0].contains(secret), "{secret} leaked into a push");
    }

    // The patient's reply pushes to the staff participant's phone, not to the patient's.
    n.post(&patient.token, &conv, "Thanks").await;
    n.drain().await;
    assert_eq!(pushes_to(&staff_phone).len(), 1);
    assert_eq!(pushes_to(&patient_ios).len(), 1);
}

#[tokio::test]
async fn a_burst_is_one_buzz_and_reading_reopens_pushes() {
    let mut n = Notify::new().await;
    let (staff, patient, conv) = n.practice_with_patient("Birch Clinic").await;
    let (_, token) = n.device(&patient.token, "ios").await;
    let mut last = String::new();
    for i in 0..20 {
        last = n.post(&staff.token, &conv, &format!("part {i}")).await;
        if i % 7 == 0 {
            n.drain().await; // spread over several stream batches
        }
    }
    n.drain().await;
    assert_eq!(pushes_to(&token).len(), 1, "20 messages, one buzz");

    n.read(&patient.token, &conv, &last).await;
    n.drain().await;
    n.post(&staff.token, &conv, "one more thing").await;
    n.drain().await;
    assert_eq!(
        pushes_to(&token).len(),
        2,
        "the first message after a read pushes at once"
    );
}

#[tokio::test]
async fn a_disabled_endpoint_loses_its_device_on_the_next_send() {
    let mut n = Notify::new().await;
    let (staff, patient, conv) = n.practice_with_patient("Cedar Clinic").await;
    let (_, token) = n.device(&patient.token, "android").await;
    let sns = aws_sdk_sns::Client::from_conf(
        aws_sdk_sns::config::Builder::from(&canopy_shared::app::load_sdk_config().await)
            .endpoint_url(std::env::var("AWS_ENDPOINT_URL_SNS").unwrap())
            .build(),
    );
    sns.set_endpoint_attributes()
        .endpoint_arn(endpoint_of(&token).unwrap())
        .attributes("Enabled", "false")
        .send()
        .await
        .unwrap();
    n.post(&staff.token, &conv, "hello").await;
    n.drain().await;
    let account: AccountId = patient.account_id.parse().unwrap();
    assert!(n.h.app.store.devices_of(&account).await.unwrap().is_empty());
    assert!(pushes_to(&token).is_empty());
}

/// Fails the first publish to one endpoint, then behaves like SNS.
struct FailFirst {
    real: Arc<dyn PushGateway>,
    endpoint: std::sync::Mutex<Option<String>>,
    failures: AtomicUsize,
}

#[async_trait]
impl PushGateway for FailFirst {
    async fn register(
        &self,
        p: Platform,
        t: &PushToken,
        a: &AccountId,
    ) -> Result<String, PushError> {
        self.real.register(p, t, a).await
    }
    async fn reassign(&self, e: &str, a: &AccountId) -> Result<(), PushError> {
        self.real.reassign(e, a).await
    }
    async fn publish(&self, endpoint: &str, payload: &str) -> Result<(), PushError> {
        let fail = self
            .endpoint
            .lock()
            .map(|mut e| e.take_if(|e| e == endpoint).is_some())
            .unwrap_or(false);
        if fail {
            self.failures.fetch_add(1, Ordering::SeqCst);
            return Err(PushError::Unavailable);
        }
        self.real.publish(endpoint, payload).await
    }
    async fn unregister(&self, e: &str) -> Result<(), PushError> {
        self.real.unregister(e).await
    }
}

#[tokio::test]
async fn an_sns_failure_is_retried_and_never_blocks_other_recipients() {
    let gateway = Arc::new(std::sync::Mutex::new(None::<Arc<FailFirst>>));
    let slot = gateway.clone();
    let mut n = Notify::build(move |app| {
        let failing = Arc::new(FailFirst {
            real: app.push.clone(),
            endpoint: std::sync::Mutex::new(None),
            failures: AtomicUsize::new(0),
        });
        app.push = failing.clone();
        *slot.lock().unwrap() = Some(failing);
    })
    .await;
    let failing = gateway.lock().unwrap().clone().unwrap();
    let staff = n.h.new_practice("Alder Clinic").await;
    let first = n.h.new_patient(&staff, "Ann Lee").await;
    let second = n.h.new_patient(&staff, "Bo Lin").await;
    let conv =
        n.h.new_conversation(&staff, &[&first.contact_id, &second.contact_id], None)
            .await;
    let (_, flaky) = n.device(&first.token, "ios").await;
    let (_, steady) = n.device(&second.token, "ios").await;
    *failing.endpoint.lock().unwrap() = endpoint_of(&flaky);

    n.post(&staff.token, &conv, "group news").await;
    n.drain().await;
    assert_eq!(
        failing.failures.load(Ordering::SeqCst),
        1,
        "the first send failed"
    );
    assert_eq!(pushes_to(&flaky).len(), 1, "retried once, sent once");
    assert_eq!(
        pushes_to(&steady).len(),
        1,
        "the other recipient got exactly one push"
    );
}
