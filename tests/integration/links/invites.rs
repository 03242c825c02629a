//! `GET /i/{token}` and the invite page's download form, for invites made through the API.

use canopy_shared::invites::INVITE_LIFETIME_MS;
use canopy_shared::ports::{Clock, ManualClock, SystemClock};
use canopy_tests::api::{random_ip, ANDROID, DESKTOP, FORM, IPHONE};
use canopy_tests::fixtures::random_phone;
use canopy_tests::{moto, Harness};
use std::sync::Arc;

/// A pending invite from "Maple Family Practice" to a new contact: its token and phone.
async fn invite(h: &Harness) -> (String, String) {
    let staff = h.new_practice("Maple Family Practice").await;
    let phone = random_phone();
    let (_, token) = h.invite_contact(&staff, &phone, None).await;
    (token, phone)
}

#[tokio::test]
async fn a_usable_invite_redirects_phones_and_shows_desktops_the_practice() {
    let h = Harness::new().await;
    let (token, _) = invite(&h).await;
    let iphone = h.open_invite(&token, IPHONE).await;
    assert_eq!(iphone.status, 302);
    assert_eq!(
        iphone.header("location").unwrap(),
        h.app.settings.ios_app_store_url
    );
    let android = h.open_invite(&token, ANDROID).await;
    assert_eq!(android.status, 302);
    assert_eq!(
        android.header("location").unwrap(),
        format!(
            "{}&referrer=invite_token%3D{token}",
            h.app.settings.android_play_store_url
        )
    );
    h.app.db_calls.reset();
    let desktop = h.open_invite(&token, DESKTOP).await;
    assert_eq!(h.app.db_calls.count(), 1, "one GetItem");
    assert_eq!(desktop.status, 200);
    assert!(desktop.text.contains("Maple Family Practice"));
    assert!(desktop.text.contains(r#"action="/i/download-sms""#));
    assert_eq!(desktop.header("referrer-policy").unwrap(), "no-referrer");
}

#[tokio::test]
async fn the_invite_form_texts_the_invite_link_to_the_phone_given() {
    let h = Harness::new().await;
    let (token, _) = invite(&h).await;
    let phone = random_phone();
    let body = format!("token={token}&phone={}", phone.replace('+', "%2B"));
    let sent = h
        .download_sms("/i/download-sms", FORM, body.as_bytes(), &random_ip())
        .await;
    assert_eq!(sent.status, 200, "{}", sent.text);
    assert!(sent.text.contains("Check your phone"));
    assert_eq!(
        moto::sms_to(&phone),
        vec![format!(
            "Get the Canopy app to accept your invitation securely: {}/i/{token}",
            h.app.settings.link_base_url
        )]
    );
    // Without a valid token nothing is sent.
    let other = random_phone();
    let no_token = format!("token=nope&phone={}", other.replace('+', "%2B"));
    let refused = h
        .download_sms("/i/download-sms", FORM, no_token.as_bytes(), &random_ip())
        .await;
    assert_eq!(refused.status, 404);
    assert!(moto::sms_to(&other).is_empty());
}

#[tokio::test]
async fn expired_and_used_invites_are_410_and_unknown_ones_404() {
    let h = Harness::new().await;
    // Made a lifetime and a minute ago (an app whose clock is that far back)…
    let ago = SystemClock.now_ms() - INVITE_LIFETIME_MS - 60_000;
    let past = Harness::with_clock(Arc::new(ManualClock::new(ago))).await;
    let (expired, _) = invite(&past).await;
    // …and accepted.
    let (used, phone) = invite(&h).await;
    h.invite_signup(&used, &phone, None).await;
    for token in [&expired, &used] {
        for ua in [DESKTOP, IPHONE] {
            let gone = h.open_invite(token, ua).await;
            assert_eq!(gone.status, 410, "{ua}");
            assert!(gone.text.contains("no longer valid"));
            assert!(!gone.text.contains("Maple"));
        }
    }
    let unknown = h
        .open_invite(&canopy_shared::domain::secrets::new_token(), DESKTOP)
        .await;
    assert_eq!(unknown.status, 404);
    // The same page as an unknown link.
    assert_eq!(unknown.text, h.click("zz-unknown", DESKTOP).await.text);
    assert_eq!(h.open_invite("short", DESKTOP).await.status, 404);
    let phone = random_phone();
    let body = format!("token={expired}&phone={}", phone.replace('+', "%2B"));
    let post = h
        .download_sms("/i/download-sms", FORM, body.as_bytes(), &random_ip())
        .await;
    assert_eq!(post.status, 410);
    assert!(moto::sms_to(&phone).is_empty());
}
