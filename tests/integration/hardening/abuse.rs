//! Item 1, SMS pumping: budgets per client address, per link code and global, and the
//! allowed destination countries, on `POST /v1/signup/start`, `/v1/auth/start` and
//! `/v1/orgs`. Each attack loops as a pumper would and asserts the refusal (429 with
//! `Retry-After`, nothing sent) and that everyone else still gets through.

use super::support::{address, assert_limited, harness_alone, harness_with, post_from};
use canopy_tests::fixtures::{random_email, random_phone};
use canopy_tests::{moto, Harness};
use serde_json::json;

fn signup(phone: &str, code: &str) -> serde_json::Value {
    json!({"name": "Pat Doe", "phone": phone, "link_code": code})
}

async fn practice_and_link(h: &Harness) -> String {
    let owner = h.new_practice("Pump Target Clinic").await;
    h.new_link(&owner, &[]).await.code
}

#[tokio::test]
async fn one_address_looping_over_numbers_is_cut_off_at_its_budget() {
    let h = harness_with(|s| s.send_budgets.per_address_hour = 5).await;
    let code = practice_and_link(&h).await;
    let pumper = address();
    for _ in 0..5 {
        let phone = random_phone();
        let reply = post_from(&h, &pumper, "/v1/signup/start", signup(&phone, &code)).await;
        assert_eq!(reply.status, 202, "{}", reply.text);
        assert_eq!(moto::sms_to(&phone).len(), 1);
    }
    let victim = random_phone();
    let refused = post_from(&h, &pumper, "/v1/signup/start", signup(&victim, &code)).await;
    let wait = assert_limited(&refused, "rate_limited");
    assert!(wait <= 3600, "{wait}");
    assert!(moto::sms_to(&victim).is_empty(), "no SMS past the budget");
    // Sign-in and practice signup from that address are refused too: one address budget.
    let refused = post_from(&h, &pumper, "/v1/auth/start", json!({"phone": victim})).await;
    assert_limited(&refused, "rate_limited");
    let org =
        json!({"practice_name": "Other", "owner_name": "Al Bo", "owner_email": random_email("o")});
    assert_limited(
        &post_from(&h, &pumper, "/v1/orgs", org).await,
        "rate_limited",
    );
    // Another client is not affected.
    let reply = post_from(&h, &address(), "/v1/signup/start", signup(&victim, &code)).await;
    assert_eq!(reply.status, 202, "{}", reply.text);
}

#[tokio::test]
async fn one_link_code_is_cut_off_at_its_budget_whatever_the_addresses() {
    let h = harness_with(|s| s.send_budgets.per_link_hour = 4).await;
    let code = practice_and_link(&h).await;
    for _ in 0..4 {
        let reply = post_from(
            &h,
            &address(),
            "/v1/signup/start",
            signup(&random_phone(), &code),
        )
        .await;
        assert_eq!(reply.status, 202, "{}", reply.text);
    }
    let phone = random_phone();
    let refused = post_from(&h, &address(), "/v1/signup/start", signup(&phone, &code)).await;
    assert_limited(&refused, "rate_limited");
    assert!(moto::sms_to(&phone).is_empty());
    // Another practice's link still works.
    let other = practice_and_link(&h).await;
    let reply = post_from(&h, &address(), "/v1/signup/start", signup(&phone, &other)).await;
    assert_eq!(reply.status, 202, "{}", reply.text);
}

#[tokio::test]
async fn the_global_ceiling_stops_a_distributed_pump_and_spares_email() {
    let h = harness_alone(|s| s.send_budgets.global_sms_hour = 3).await;
    let owner = h.new_practice("Global Clinic").await;
    let mut codes = Vec::new();
    for _ in 0..4 {
        codes.push(h.new_link(&owner, &[]).await.code);
    }
    // Every request from its own address, through its own link: only the ceiling binds.
    for code in &codes[..3] {
        let reply = post_from(
            &h,
            &address(),
            "/v1/signup/start",
            signup(&random_phone(), code),
        )
        .await;
        assert_eq!(reply.status, 202, "{}", reply.text);
    }
    let phone = random_phone();
    let refused = post_from(
        &h,
        &address(),
        "/v1/signup/start",
        signup(&phone, &codes[3]),
    )
    .await;
    assert_limited(&refused, "rate_limited");
    let refused = post_from(&h, &address(), "/v1/auth/start", json!({"phone": phone})).await;
    assert_limited(&refused, "rate_limited");
    assert!(moto::sms_to(&phone).is_empty());
    // Emailed codes have their own ceiling: staff still sign in.
    let reply = post_from(
        &h,
        &address(),
        "/v1/auth/start",
        json!({"email": owner.email}),
    )
    .await;
    assert_eq!(reply.status, 202, "{}", reply.text);
}

#[tokio::test]
async fn numbers_outside_the_allowed_countries_are_refused_before_anything_is_sent() {
    let h = Harness::new().await;
    let code = practice_and_link(&h).await;
    let london = "+44 20 7946 0958";
    let kingston = "+1 876 927 1234";
    let texted = |n: &str| moto::sms_to(n).len();
    let before = (texted("+442079460958"), texted("+18769271234"));
    for (path, body) in [
        ("/v1/signup/start", signup(london, &code)),
        ("/v1/auth/start", json!({"phone": london})),
    ] {
        let refused = post_from(&h, &address(), path, body).await;
        assert_eq!(refused.status, 400, "{}", refused.text);
        assert_eq!(refused.error_code(), "unsupported_country");
        let message = refused.error_message();
        assert!(
            message.starts_with("phone:") && message.contains("US"),
            "{message}"
        );
    }
    // Jamaica shares +1 with the US: refused too (a classic pumping destination).
    let refused = post_from(&h, &address(), "/v1/signup/start", signup(kingston, &code)).await;
    assert_eq!(
        refused.error_code(),
        "unsupported_country",
        "{}",
        refused.text
    );
    let after = (texted("+442079460958"), texted("+18769271234"));
    assert_eq!(before, after, "nothing was texted");
    // A deployment that allows the UK sends there.
    let h = harness_with(|s| s.send_budgets.sms_countries = vec!["US".into(), "GB".into()]).await;
    let code = practice_and_link(&h).await;
    let reply = post_from(&h, &address(), "/v1/signup/start", signup(london, &code)).await;
    assert_eq!(reply.status, 202, "{}", reply.text);
}

#[tokio::test]
async fn a_front_desk_signs_up_a_waiting_room_on_one_wifi_with_the_default_budgets() {
    let h = Harness::new().await;
    let owner = h.new_practice("Busy Front Desk").await;
    let code = h.new_link(&owner, &[]).await.code;
    let wifi = address();
    // Eighteen patients in an hour on the clinic's one address, each asking for a second
    // code (36 starts), then two staff sign-ins: 38 of the default 40.
    for i in 0..18 {
        let phone = random_phone();
        let mut challenge = String::new();
        for _ in 0..2 {
            let started = post_from(&h, &wifi, "/v1/signup/start", signup(&phone, &code)).await;
            assert_eq!(started.status, 202, "patient {i}: {}", started.text);
            challenge = started.string("challenge_id");
        }
        let sms = moto::latest_sms_code(&phone).unwrap();
        let verified = h
            .public()
            .signup_verify(json!({"challenge_id": challenge, "sms_code": sms}))
            .await;
        assert_eq!(verified.status, 200, "patient {i}: {}", verified.text);
    }
    for _ in 0..2 {
        let staff = post_from(&h, &wifi, "/v1/auth/start", json!({"email": owner.email})).await;
        assert_eq!(staff.status, 202, "{}", staff.text);
    }
}
