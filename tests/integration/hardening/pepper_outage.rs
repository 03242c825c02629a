//! Row 7's operational side: the pepper's Secrets Manager read starts at cold start and
//! the first code awaits it (`canopy_shared::access::pepper`). When that read fails, a
//! sign-in is refused with a clear status and nothing is sent or stored, and the next
//! request reads the secret again: an outage heals without a new cold start.

use async_trait::async_trait;
use canopy_shared::access::pepper::Pepper;
use canopy_shared::app::load_sdk_config;
use canopy_shared::ports::secrets::{SecretError, SecretSource};
use canopy_shared::App;
use canopy_tests::{moto, settings, Harness};
use std::sync::{Arc, Mutex};

/// The secret store as an outage looks from the function: one answer per read.
struct Outage(Mutex<Vec<Result<String, SecretError>>>);

#[async_trait]
impl SecretSource for Outage {
    async fn secret_string(&self, _id: &str) -> Result<String, SecretError> {
        self.0.lock().unwrap().remove(0)
    }
}

#[tokio::test]
async fn a_failed_pepper_read_refuses_the_code_sends_nothing_and_is_read_again() {
    let h = Harness::new().await;
    let owner = h.new_practice("Pepper Outage Clinic").await;
    let pepper = std::env::var("OTP_PEPPER").expect("the stack's pepper");
    let answers = vec![
        Err(SecretError::NotFound),
        Err(SecretError::Unavailable("ThrottlingException".into())),
        Ok(pepper),
    ];
    let mut app = App::from_parts(&load_sdk_config().await, settings().await);
    app.pepper = Pepper::prefetch(Arc::new(Outage(Mutex::new(answers))), "pepper".into());
    let cold = Harness::with_app(app);
    let sent_before = moto::emails_to(&owner.email).len();

    // The read started at init found no secret: a misconfiguration, 500.
    let missing = cold.public().auth_start_email(&owner.email).await;
    assert_eq!(missing.status, 500, "{}", missing.text);
    // Read again: the store is throttling, 503 with a Retry-After.
    let throttled = cold.public().auth_start_email(&owner.email).await;
    assert_eq!(throttled.status, 503, "{}", throttled.text);
    assert!(throttled.header("retry-after").is_some());
    assert_eq!(moto::emails_to(&owner.email).len(), sent_before);

    // Read again: the secret is back, and the code goes out and checks.
    let started = cold.public().auth_start_email(&owner.email).await;
    assert_eq!(started.status, 202, "{}", started.text);
    let code = moto::latest_email_code(&owner.email).expect("the code was emailed");
    assert_eq!(moto::emails_to(&owner.email).len(), sent_before + 1);
    let verified = cold
        .public()
        .auth_verify(&started.string("challenge_id"), &code)
        .await;
    assert_eq!(verified.status, 200, "{}", verified.text);
}
