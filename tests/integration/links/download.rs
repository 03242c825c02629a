use super::{front_desk, front_desk_code};
use canopy_shared::ports::ManualClock;
use canopy_tests::api::{phone_form, random_ip, DESKTOP, FORM, JSON};
use canopy_tests::fixtures::random_phone;
use canopy_tests::{moto, Harness};
use std::sync::Arc;

#[tokio::test]
async fn a_form_post_texts_the_download_link_and_says_check_your_phone() {
    let (h, owner) = Harness::with_practice("Elm Street Clinic").await;
    let link = front_desk(&h, &owner).await;
    let code = link["code"].as_str().unwrap();
    let phone = random_phone();
    // A number as people type it.
    let national = format!("({}) {}-{}", &phone[2..5], &phone[5..8], &phone[8..]);
    let body = format!("phone={}", national.replace(' ', "+"));
    let sent = h
        .download_sms(
            &format!("/{code}/download-sms"),
            FORM,
            body.as_bytes(),
            &random_ip(),
        )
        .await;
    assert_eq!(sent.status, 200, "{}", sent.text);
    assert!(sent.text.contains("Check your phone"));
    assert!(sent
        .header("content-type")
        .unwrap()
        .starts_with("text/html"));
    assert_eq!(sent.header("referrer-policy").unwrap(), "no-referrer");
    let texts = moto::sms_to(&phone);
    assert_eq!(texts.len(), 1, "{texts:?}");
    assert_eq!(
        texts[0],
        format!(
            "Get the Canopy app to message your care team securely: {}/{code} (link code {code})",
            h.app.settings.link_base_url
        )
    );
    assert!(
        !texts[0].contains("Elm Street"),
        "no practice name to a typed-in number"
    );
}

#[tokio::test]
async fn a_json_request_gets_json() {
    let (h, owner) = Harness::with_practice("Elm Street Clinic").await;
    let code = front_desk_code(&h, &owner).await;
    let phone = random_phone();
    let path = format!("/{code}/download-sms");
    let body = serde_json::json!({ "phone": phone }).to_string();
    let sent = h
        .download_sms(&path, JSON, body.as_bytes(), &random_ip())
        .await;
    assert_eq!(sent.status, 200, "{}", sent.text);
    assert_eq!(sent.json(), serde_json::json!({"sent": true}));
    assert_eq!(moto::sms_to(&phone).len(), 1);

    let bad = h
        .download_sms(&path, JSON, br#"{"phone": "12"}"#, &random_ip())
        .await;
    assert_eq!(bad.status, 400);
    assert_eq!(bad.error_code(), "invalid_field");
    assert!(bad.error_message().starts_with("phone"));
    let unknown = h
        .download_sms(
            "/zz-unknown/download-sms",
            JSON,
            body.as_bytes(),
            &random_ip(),
        )
        .await;
    assert_eq!(unknown.status, 404);
    assert_eq!(unknown.error_code(), "not_found");
}

#[tokio::test]
async fn an_invalid_number_is_shown_inline_and_nothing_is_sent() {
    let (h, owner) = Harness::with_practice("Elm Street Clinic").await;
    let code = front_desk_code(&h, &owner).await;
    let bad = h
        .download_sms(
            &format!("/{code}/download-sms"),
            FORM,
            b"phone=555-12%3Cb%3E",
            &random_ip(),
        )
        .await;
    assert_eq!(bad.status, 400);
    assert!(bad.text.contains(r#"role="alert""#));
    assert!(bad.text.contains("Enter a valid mobile number"));
    assert!(
        bad.text.contains("Elm Street Clinic"),
        "the landing page again"
    );
    assert!(
        bad.text.contains("555-12&#60;b&#62;"),
        "the typed value, escaped: {}",
        bad.text
    );
    assert!(!bad.text.contains("Check your phone"));
    let empty = h
        .download_sms(&format!("/{code}/download-sms"), FORM, b"", &random_ip())
        .await;
    assert_eq!(empty.status, 400);
}

#[tokio::test]
async fn the_fourth_text_to_one_number_within_an_hour_is_429_until_the_hour_passes() {
    let clock = Arc::new(ManualClock::new(chrono_now()));
    let h = Harness::with_clock(clock.clone()).await;
    let owner = h.new_practice("Elm Street Clinic").await;
    let code = front_desk_code(&h, &owner).await;
    let path = format!("/{code}/download-sms");
    let phone = random_phone();
    for _ in 0..3 {
        let ok = h
            .download_sms(&path, FORM, &phone_form(&phone), &random_ip())
            .await;
        assert_eq!(ok.status, 200, "{}", ok.text);
        clock.advance_ms(60_000);
    }
    let fourth = h
        .download_sms(&path, FORM, &phone_form(&phone), &random_ip())
        .await;
    assert_eq!(fourth.status, 429);
    let wait: u64 = fourth.header("retry-after").unwrap().parse().unwrap();
    // The first text was 3 minutes ago: room again in 57 minutes.
    assert!((3300..=3420).contains(&wait), "{wait}");
    assert!(
        fourth.text.contains("Please wait"),
        "the form again, with the reason"
    );
    let as_json = h
        .download_sms(
            &path,
            JSON,
            format!(r#"{{"phone":"{phone}"}}"#).as_bytes(),
            &random_ip(),
        )
        .await;
    assert_eq!(as_json.status, 429);
    assert_eq!(as_json.error_code(), "rate_limited");
    assert!(as_json.header("retry-after").is_some());
    assert_eq!(moto::sms_to(&phone).len(), 3);

    clock.advance_ms(wait as i64 * 1000);
    let later = h
        .download_sms(&path, FORM, &phone_form(&phone), &random_ip())
        .await;
    assert_eq!(later.status, 200, "{}", later.text);
    assert_eq!(moto::sms_to(&phone).len(), 4);
}

#[tokio::test]
async fn one_client_address_gets_at_most_twenty_texts_an_hour() {
    let (h, owner) = Harness::with_practice("Elm Street Clinic").await;
    let code = front_desk_code(&h, &owner).await;
    let path = format!("/{code}/download-sms");
    let ip = random_ip();
    for _ in 0..20 {
        let ok = h
            .download_sms(&path, FORM, &phone_form(&random_phone()), &ip)
            .await;
        assert_eq!(ok.status, 200, "{}", ok.text);
    }
    let phone = random_phone();
    let refused = h.download_sms(&path, FORM, &phone_form(&phone), &ip).await;
    assert_eq!(refused.status, 429);
    assert!(refused.header("retry-after").is_some());
    assert!(moto::sms_to(&phone).is_empty());
    // The refused request spent nothing: the same number from elsewhere still gets its text.
    let elsewhere = h
        .download_sms(&path, FORM, &phone_form(&phone), &random_ip())
        .await;
    assert_eq!(elsewhere.status, 200);
}

#[tokio::test]
async fn unknown_and_disabled_links_send_nothing() {
    let h = Harness::new().await;
    let phone = random_phone();
    let unknown = h
        .download_sms(
            "/zz-unknown/download-sms",
            FORM,
            &phone_form(&phone),
            &random_ip(),
        )
        .await;
    assert_eq!(unknown.status, 404);
    // The same page as an unknown click.
    assert_eq!(unknown.text, h.click("zz-unknown", DESKTOP).await.text);
    assert!(moto::sms_to(&phone).is_empty());
}

fn chrono_now() -> i64 {
    use canopy_shared::ports::{Clock, SystemClock};
    SystemClock.now_ms()
}
