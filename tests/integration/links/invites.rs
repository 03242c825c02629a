//! `GET /i/{token}`: invite creation is another function's; these tests write the token
//! item directly with the shared struct.

use super::{click, link_request, random_ip, ANDROID, DESKTOP, IPHONE};
use canopy_shared::adapters::dynamo::{keys, to_item};
use canopy_shared::domain::ids::{ContactId, ConversationId, InviteId, OrgId};
use canopy_shared::domain::secrets::{new_token, token_hash};
use canopy_shared::invites::{InviteStatus, InviteTokenItem, INVITE_LIFETIME_MS};
use canopy_tests::fixtures::random_phone;
use canopy_tests::{moto, Harness};

/// Stores an invite token item and returns the plaintext token.
async fn invite(h: &Harness, status: InviteStatus, expires_in_ms: i64) -> String {
    let token = new_token();
    let now = h.app.now_ms();
    let item = InviteTokenItem {
        pk: keys::invite_token_pk(&token_hash(&token)),
        sk: keys::INVITE_TOKEN_SK.into(),
        invite_id: InviteId::generate(),
        org_id: OrgId::generate(),
        practice_name: "Maple Family Practice".into(),
        contact_id: ContactId::generate(),
        conversation_id: ConversationId::generate(),
        link_id: None,
        phone: None,
        email: None,
        status,
        expires_at: now + expires_in_ms,
        ttl: (now + INVITE_LIFETIME_MS) / 1000,
    };
    h.app
        .db
        .put_item()
        .table_name(h.app.table())
        .set_item(Some(to_item(&item).unwrap()))
        .send()
        .await
        .unwrap();
    token
}

async fn open(h: &Harness, token: &str, user_agent: &str) -> canopy_tests::Reply {
    link_request(
        h,
        "GET",
        &format!("/i/{token}"),
        user_agent,
        None,
        b"",
        "203.0.113.9",
    )
    .await
}

#[tokio::test]
async fn a_usable_invite_redirects_phones_and_shows_desktops_the_practice() {
    let h = Harness::new().await;
    let token = invite(&h, InviteStatus::Pending, INVITE_LIFETIME_MS).await;
    let iphone = open(&h, &token, IPHONE).await;
    assert_eq!(iphone.status, 302);
    assert_eq!(
        iphone.header("location").unwrap(),
        h.app.settings.ios_app_store_url
    );
    let android = open(&h, &token, ANDROID).await;
    assert_eq!(android.status, 302);
    assert_eq!(
        android.header("location").unwrap(),
        format!(
            "{}&referrer=invite_token%3D{token}",
            h.app.settings.android_play_store_url
        )
    );
    h.app.db_calls.reset();
    let desktop = open(&h, &token, DESKTOP).await;
    assert_eq!(h.app.db_calls.count(), 1, "one GetItem");
    assert_eq!(desktop.status, 200);
    assert!(desktop.text.contains("Maple Family Practice"));
    assert!(desktop.text.contains(r#"action="/i/download-sms""#));
    assert_eq!(desktop.header("referrer-policy").unwrap(), "no-referrer");
}

#[tokio::test]
async fn the_invite_form_texts_the_invite_link_to_the_phone_given() {
    let h = Harness::new().await;
    let token = invite(&h, InviteStatus::Pending, INVITE_LIFETIME_MS).await;
    let phone = random_phone();
    let body = format!("token={token}&phone={}", phone.replace('+', "%2B"));
    let sent = link_request(
        &h,
        "POST",
        "/i/download-sms",
        DESKTOP,
        Some("application/x-www-form-urlencoded"),
        body.as_bytes(),
        &random_ip(),
    )
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
    let refused = link_request(
        &h,
        "POST",
        "/i/download-sms",
        DESKTOP,
        Some("application/x-www-form-urlencoded"),
        no_token.as_bytes(),
        &random_ip(),
    )
    .await;
    assert_eq!(refused.status, 404);
    assert!(moto::sms_to(&other).is_empty());
}

#[tokio::test]
async fn expired_and_used_invites_are_410_and_unknown_ones_404() {
    let h = Harness::new().await;
    let expired = invite(&h, InviteStatus::Pending, -1).await;
    let used = invite(&h, InviteStatus::Accepted, INVITE_LIFETIME_MS).await;
    for token in [&expired, &used] {
        for ua in [DESKTOP, IPHONE] {
            let gone = open(&h, token, ua).await;
            assert_eq!(gone.status, 410, "{ua}");
            assert!(gone.text.contains("no longer valid"));
            assert!(!gone.text.contains("Maple"));
        }
    }
    let unknown = open(&h, &new_token(), DESKTOP).await;
    assert_eq!(unknown.status, 404);
    // The same page as an unknown link.
    assert_eq!(unknown.text, click(&h, "zz-unknown", DESKTOP).await.text);
    assert_eq!(open(&h, "short", DESKTOP).await.status, 404);
    let phone = random_phone();
    let body = format!("token={expired}&phone={}", phone.replace('+', "%2B"));
    let post = link_request(
        &h,
        "POST",
        "/i/download-sms",
        DESKTOP,
        Some("application/x-www-form-urlencoded"),
        body.as_bytes(),
        &random_ip(),
    )
    .await;
    assert_eq!(post.status, 410);
    assert!(moto::sms_to(&phone).is_empty());
}
