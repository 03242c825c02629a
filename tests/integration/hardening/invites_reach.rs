//! Row 63: invites spend a deployment-wide hourly ceiling of their own (so many throwaway
//! practices, each inside its own budgets, still cannot pump texts together), and text only
//! numbers of the deployment's SMS countries, as code sends and download texts do.

use super::support::{assert_limited, harness_alone, harness_with};
use canopy_tests::fixtures::{random_phone, Staff};
use canopy_tests::{moto, Harness, Reply};
use serde_json::json;

/// Invites a new contact with `phone`; the answer and the contact's id.
async fn invite(h: &Harness, staff: &Staff, phone: &str) -> (Reply, String) {
    let contact = h.new_contact(staff, "Ann Lee", Some(phone), None).await;
    let id = contact["id"].as_str().unwrap().to_string();
    let reply = h.api(staff).invite(json!({ "contact_id": id })).await;
    (reply, id)
}

/// A UK number no other test texts (London's drama range, which libphonenumber accepts).
fn london() -> String {
    let n = ulid::Ulid::new().random() % 1000;
    format!("+44207946{n:04}")
}

#[tokio::test]
async fn a_pump_across_fresh_practices_is_cut_off_at_the_deployment_invite_ceiling() {
    // A table of its own, so the ceiling's window is this test's alone.
    let h = harness_alone(|s| s.invite_budgets.global_hour = 6).await;
    // Three fresh practices, two invites each: every one inside its practice's budget (five
    // an hour while younger than a day) and its contact's.
    for p in 0..3 {
        let staff = h.new_practice(&format!("Pump Practice {p}")).await;
        for _ in 0..2 {
            let phone = random_phone();
            let (reply, _) = invite(&h, &staff, &phone).await;
            assert_eq!(reply.status, 201, "{}", reply.text);
            assert_eq!(moto::sms_to(&phone).len(), 1);
        }
    }
    // A fourth practice, with its own budgets untouched, meets the deployment's ceiling.
    let staff = h.new_practice("Pump Practice 3").await;
    let phone = random_phone();
    let (refused, contact) = invite(&h, &staff, &phone).await;
    let wait = assert_limited(&refused, "rate_limited");
    assert!(wait <= 3600, "{wait}");
    assert!(
        moto::sms_to(&phone).is_empty(),
        "nothing sent past the ceiling"
    );
    let shown = h.api(&staff).contact(&contact).await.json();
    assert_eq!(shown["conversation_ids"], json!([]), "{shown}");
    assert_ne!(shown["status"], "invited", "{shown}");
    // Sign-in codes have their own ceiling: a patient still gets a signup code.
    let link = h.new_link(&staff, &[]).await;
    let patient = random_phone();
    let started = h
        .public()
        .signup_start(json!({"name": "Pat Doe", "phone": patient, "link_code": link.code}))
        .await;
    assert_eq!(started.status, 202, "{}", started.text);
    assert_eq!(moto::sms_to(&patient).len(), 1);
}

#[tokio::test]
async fn invites_to_numbers_outside_the_allowed_countries_are_refused_and_create_nothing() {
    let h = Harness::new().await;
    let staff = h.new_practice("Country Clinic").await;
    let uk = london();
    let (refused, contact) = invite(&h, &staff, &uk).await;
    assert_eq!(refused.status, 400, "{}", refused.text);
    assert_eq!(
        refused.error_code(),
        "unsupported_country",
        "{}",
        refused.text
    );
    let message = refused.error_message();
    assert!(
        message.starts_with("phone:") && message.contains("US"),
        "{message}"
    );
    assert!(moto::sms_to(&uk).is_empty(), "nothing was texted");
    let shown = h.api(&staff).contact(&contact).await.json();
    assert_eq!(shown["conversation_ids"], json!([]), "{shown}");
    // Jamaica shares +1 with the US: refused as well.
    let (refused, _) = invite(&h, &staff, "+1 876 927 1234").await;
    assert_eq!(
        refused.error_code(),
        "unsupported_country",
        "{}",
        refused.text
    );

    // A deployment that allows the UK invites there…
    let with_uk = harness_with(|s| {
        s.invite_budgets.sms_countries = vec!["US".into(), "GB".into()];
    })
    .await;
    let uk = london();
    let (invited, _) = invite(&with_uk, &staff, &uk).await;
    assert_eq!(invited.status, 201, "{}", invited.text);
    assert_eq!(moto::sms_to(&uk).len(), 1);
    // …and once the list drops it, a resend of that invite is refused and sends nothing.
    let resend = h.api(&staff).resend_invite(&invited.string("id")).await;
    assert_eq!(resend.status, 400, "{}", resend.text);
    assert_eq!(
        resend.error_code(),
        "unsupported_country",
        "{}",
        resend.text
    );
    assert_eq!(moto::sms_to(&uk).len(), 1, "nothing more was texted");
}
