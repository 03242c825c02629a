//! The one-time-code rules of SECURITY.md, tried against the real flow.

use canopy_shared::ports::ManualClock;
use canopy_tests::fixtures::random_email;
use canopy_tests::{moto, Harness};
use std::sync::Arc;

async fn verify(h: &Harness, challenge: &str, code: &str) -> canopy_tests::Reply {
    h.public().auth_verify(challenge, code).await
}

/// A six-digit code that is not `code`.
fn wrong(code: &str) -> String {
    let n: u32 = code.parse().unwrap();
    format!("{:06}", (n + 1) % 1_000_000)
}

#[tokio::test]
async fn a_code_expires_after_ten_minutes() {
    let clock = Arc::new(ManualClock::new(1_795_320_600_000));
    let h = Harness::with_clock(clock.clone()).await;
    let owner = h.new_practice("Clocked").await;
    let challenge = h.email_challenge(&owner.email).await;
    let code = moto::latest_email_code(&owner.email).unwrap();
    clock.advance_ms(10 * 60 * 1000);
    let late = verify(&h, &challenge, &code).await;
    assert_eq!(late.status, 409, "{}", late.text);
    assert_eq!(late.error_code(), "code_expired");

    // One millisecond before expiry the same kind of code still works.
    let challenge = h.email_challenge(&owner.email).await;
    let code = moto::latest_email_code(&owner.email).unwrap();
    clock.advance_ms(10 * 60 * 1000 - 1);
    assert_eq!(verify(&h, &challenge, &code).await.status, 200);
}

#[tokio::test]
async fn fifty_concurrent_wrong_guesses_evaluate_exactly_five() {
    let h = Arc::new(Harness::new().await);
    let owner = h.new_practice("Guessed").await;
    let challenge = h.email_challenge(&owner.email).await;
    let code = moto::latest_email_code(&owner.email).unwrap();
    let bad = wrong(&code);
    let guesses = (0..50).map(|_| {
        let h = h.clone();
        let challenge = challenge.clone();
        let bad = bad.clone();
        tokio::spawn(async move { verify(&h, &challenge, &bad).await })
    });
    let replies: Vec<_> = futures::future::join_all(guesses)
        .await
        .into_iter()
        .map(Result::unwrap)
        .collect();
    let evaluated = replies
        .iter()
        .filter(|r| r.error_code() == "wrong_code")
        .count();
    let refused = replies
        .iter()
        .filter(|r| r.error_code() == "too_many_attempts")
        .count();
    assert_eq!(
        evaluated,
        5,
        "{:?}",
        replies.iter().map(|r| r.error_code()).collect::<Vec<_>>()
    );
    assert_eq!(refused, 45);
    assert!(replies
        .iter()
        .filter(|r| r.status == 429)
        .all(|r| r.header("retry-after").is_some()));
    // The challenge is dead: even the right code is refused now.
    let right = verify(&h, &challenge, &code).await;
    assert_eq!(right.status, 429);
    assert_eq!(right.error_code(), "too_many_attempts");
}

#[tokio::test]
async fn a_code_works_once() {
    let (h, owner) = Harness::with_practice("Once").await;
    let challenge = h.email_challenge(&owner.email).await;
    let code = moto::latest_email_code(&owner.email).unwrap();
    assert_eq!(verify(&h, &challenge, &code).await.status, 200);
    let again = verify(&h, &challenge, &code).await;
    assert_eq!(again.status, 409);
    assert_eq!(again.error_code(), "code_used");
}

#[tokio::test]
async fn a_resend_replaces_the_old_code() {
    let (h, owner) = Harness::with_practice("Resent").await;
    let first = h.email_challenge(&owner.email).await;
    let first_code = moto::latest_email_code(&owner.email).unwrap();
    let second = h.email_challenge(&owner.email).await;
    let second_code = moto::latest_email_code(&owner.email).unwrap();
    let old = verify(&h, &first, &first_code).await;
    assert_eq!(old.status, 409, "{}", old.text);
    assert_eq!(old.error_code(), "code_replaced");
    assert_eq!(verify(&h, &second, &second_code).await.status, 200);
}

#[tokio::test]
async fn at_most_five_codes_per_destination_in_ten_minutes() {
    let (h, owner) = Harness::with_practice("Limited").await;
    // The signup already sent one code to this address.
    for _ in 0..4 {
        h.email_challenge(&owner.email).await;
    }
    let sent_before = moto::emails_to(&owner.email).len();
    let sixth = h.public().auth_start_email(&owner.email).await;
    assert_eq!(sixth.status, 429);
    assert_eq!(sixth.error_code(), "rate_limited");
    let wait: u64 = sixth.header("retry-after").unwrap().parse().unwrap();
    assert!((1..=600).contains(&wait), "{wait}");
    assert_eq!(
        moto::emails_to(&owner.email).len(),
        sent_before,
        "nothing sent past the limit"
    );
}

#[tokio::test]
async fn unknown_emails_get_the_same_answer_and_no_email() {
    let h = Harness::new().await;
    let stranger = random_email("stranger");
    let owner = h.new_practice("Known").await;
    let unknown = h.public().auth_start_email(&stranger).await;
    let known = h.public().auth_start_email(&owner.email).await;
    assert_eq!(unknown.status, known.status);
    let shape = |r: &canopy_tests::Reply| {
        let mut keys: Vec<String> = r.json().as_object().unwrap().keys().cloned().collect();
        keys.sort();
        keys
    };
    assert_eq!(shape(&unknown), shape(&known));
    assert_eq!(unknown.header("content-type"), known.header("content-type"));
    assert!(moto::emails_to(&stranger).is_empty());
    // Guessing at the unknown challenge behaves like any wrong code.
    let challenge = unknown.json()["challenge_id"].as_str().unwrap().to_string();
    assert_eq!(
        verify(&h, &challenge, "123456").await.error_code(),
        "wrong_code"
    );
}

#[tokio::test]
async fn malformed_codes_do_not_use_up_an_attempt() {
    let (h, owner) = Harness::with_practice("Malformed").await;
    let challenge = h.email_challenge(&owner.email).await;
    let code = moto::latest_email_code(&owner.email).unwrap();
    for junk in ["", "12345", "1234567", "abcdef", "12 456"] {
        let r = verify(&h, &challenge, junk).await;
        assert_eq!(r.status, 400, "{junk}");
        assert_eq!(r.error_code(), "invalid_field");
    }
    for _ in 0..4 {
        assert_eq!(
            verify(&h, &challenge, &wrong(&code)).await.error_code(),
            "wrong_code"
        );
    }
    assert_eq!(
        verify(&h, &challenge, &code).await.status,
        200,
        "the fifth check is still allowed"
    );
}

#[tokio::test]
async fn codes_and_tokens_never_reach_the_logs() {
    let (h, owner) = Harness::with_practice("Quiet Clinic").await;
    let challenge = h.email_challenge(&owner.email).await;
    let code = moto::latest_email_code(&owner.email).unwrap();
    let token = verify(&h, &challenge, &code).await.json()["token"]
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(h.api(&token).members().await.status, 200);
    // Everything every test in this binary logged so far, through the production filter at trace.
    let logs = canopy_tests::logs::captured();
    assert!(
        logs.contains("\"route\":\"POST /v1/auth/verify\""),
        "request lines are logged"
    );
    for secret in [
        &code,
        &token,
        &owner.email,
        &"Quiet Clinic".to_string(),
        &"Dr. Owner".to_string(),
    ] {
        let leak = logs.lines().find(|l| l.contains(secret.as_str()));
        assert!(
            leak.is_none(),
            "log leaked {secret}: {}",
            leak.unwrap_or_default()
        );
    }
}

#[tokio::test]
async fn case_variants_of_an_email_share_one_send_budget_and_one_live_code() {
    let (h, owner) = Harness::with_practice("Cased").await;
    // The signup sent one code; four more to variants of the same mailbox use the budget up.
    let (local, domain) = owner.email.split_once('@').unwrap();
    let variants: Vec<String> = (0..5)
        .map(|i| {
            let cased: String = local
                .chars()
                .enumerate()
                .map(|(j, c)| {
                    if (j + i) % 2 == 0 {
                        c.to_ascii_uppercase()
                    } else {
                        c
                    }
                })
                .collect();
            format!("{cased}@{domain}")
        })
        .collect();
    let mut challenges = Vec::new();
    for variant in &variants[..4] {
        challenges.push(h.email_challenge(variant).await);
    }
    let fifth = h.public().auth_start_email(&variants[4]).await;
    assert_eq!(fifth.status, 429, "{}", fifth.text);
    // Only the newest code is live, whatever case it was asked for in.
    let newest_code = moto::emails_to(&variants[3])
        .last()
        .and_then(|(_, b)| moto::code_in(b))
        .unwrap();
    assert_eq!(verify(&h, &challenges[3], &newest_code).await.status, 200);
    let older_code = moto::emails_to(&variants[2])
        .last()
        .and_then(|(_, b)| moto::code_in(b))
        .unwrap();
    assert_eq!(
        verify(&h, &challenges[2], &older_code).await.error_code(),
        "code_replaced"
    );
}

#[tokio::test]
async fn a_failed_delivery_does_not_reveal_that_an_account_exists() {
    use canopy_shared::domain::contact_info::{EmailAddress, PhoneNumber};
    use canopy_shared::ports::{Email, SendError, Sms};

    struct Down;
    #[async_trait::async_trait]
    impl Email for Down {
        async fn send_email(&self, _: &EmailAddress, _: &str, _: &str) -> Result<(), SendError> {
            Err(SendError::OptedOut)
        }
    }
    #[async_trait::async_trait]
    impl Sms for Down {
        async fn send_sms(&self, _: &PhoneNumber, _: &str) -> Result<(), SendError> {
            Err(SendError::Unavailable)
        }
    }
    let (_h, owner) = Harness::with_practice("Opted out").await;
    let settings = canopy_tests::settings().await;
    let sdk = canopy_shared::app::load_sdk_config().await;
    let mut app = canopy_shared::App::from_parts(&sdk, settings);
    app.email = Arc::new(Down);
    app.sms = Arc::new(Down);
    let down = Harness::with_app(app);
    let known = down.public().auth_start_email(&owner.email).await;
    let unknown = down
        .public()
        .auth_start_email(&random_email("nobody"))
        .await;
    assert_eq!(
        (known.status, unknown.status),
        (202, 202),
        "{} / {}",
        known.text,
        unknown.text
    );
}
