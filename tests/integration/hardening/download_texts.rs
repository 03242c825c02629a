//! Rows 62 of SECURITY.md's map: the download-link text (`POST /{code}/download-sms`) is as
//! hard to pump as a sign-in code: only the deployment's SMS countries, a budget per link
//! code, and a deployment-wide ceiling of its own (so a flood of download texts cannot stop
//! sign-in codes). Each attack loops from fresh numbers and addresses, as a pumper would.

use super::support::{address, assert_limited, harness_alone, harness_with, post_from};
use canopy_tests::api::JSON;
use canopy_tests::fixtures::random_phone;
use canopy_tests::{moto, Harness, Reply};
use serde_json::json;

async fn text(h: &Harness, code: &str, phone: &str) -> Reply {
    let body = json!({ "phone": phone }).to_string();
    h.download_sms(
        &format!("/{code}/download-sms"),
        JSON,
        body.as_bytes(),
        &address(),
    )
    .await
}

async fn practice_link(h: &Harness) -> (canopy_tests::fixtures::Staff, String) {
    let owner = h.new_practice("Download Clinic").await;
    let code = h.new_link(&owner, &[]).await.code;
    (owner, code)
}

#[tokio::test]
async fn numbers_outside_the_allowed_countries_get_no_download_text() {
    let h = Harness::new().await;
    let (_, code) = practice_link(&h).await;
    for (typed, stored) in [
        ("+44 20 7946 0958", "+442079460958"),
        ("+1 876 927 1234", "+18769271234"),
    ] {
        let before = moto::sms_to(stored).len();
        let refused = text(&h, &code, typed).await;
        assert_eq!(refused.status, 400, "{}", refused.text);
        assert_eq!(refused.error_code(), "unsupported_country");
        assert_eq!(moto::sms_to(stored).len(), before, "nothing was texted");
    }
    let sent = text(&h, &code, &random_phone()).await;
    assert_eq!(sent.status, 200, "{}", sent.text);
}

#[tokio::test]
async fn one_link_code_is_cut_off_at_its_budget_whatever_the_numbers_and_addresses() {
    let h = harness_with(|s| s.send_budgets.per_link_hour = 3).await;
    let (owner, code) = practice_link(&h).await;
    for _ in 0..3 {
        let sent = text(&h, &code, &random_phone()).await;
        assert_eq!(sent.status, 200, "{}", sent.text);
    }
    let phone = random_phone();
    assert_limited(&text(&h, &code, &phone).await, "rate_limited");
    assert!(moto::sms_to(&phone).is_empty());
    // Another link of the same practice still texts.
    let other = h.new_link(&owner, &[]).await.code;
    assert_eq!(text(&h, &other, &random_phone()).await.status, 200);
}

#[tokio::test]
async fn the_deployment_ceiling_stops_a_distributed_pump_and_spares_sign_in_codes() {
    let h = harness_alone(|s| s.send_budgets.global_sms_hour = 3).await;
    let owner = h.new_practice("Global Download Clinic").await;
    let mut codes = Vec::new();
    for _ in 0..4 {
        codes.push(h.new_link(&owner, &[]).await.code);
    }
    for code in &codes[..3] {
        let sent = text(&h, code, &random_phone()).await;
        assert_eq!(sent.status, 200, "{}", sent.text);
    }
    let phone = random_phone();
    assert_limited(&text(&h, &codes[3], &phone).await, "rate_limited");
    assert!(moto::sms_to(&phone).is_empty());
    // Sign-in codes have their own ceiling: a patient still gets one.
    let started = post_from(
        &h,
        &address(),
        "/v1/signup/start",
        json!({"name": "Pat Doe", "phone": phone, "link_code": codes[3]}),
    )
    .await;
    assert_eq!(started.status, 202, "{}", started.text);
}
