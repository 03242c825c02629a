//! Row 26: the link pages and every text or email that carries a URL build it from
//! `settings.link_base_url`, never from the request: a hostile `Host` (which API Gateway
//! passes on as the event's `domainName`) or forwarding header must change no page,
//! redirect, text or email (a poisoned host would make Canopy send patients a phishing
//! link under its own name).

use canopy_local::template::Api;
use canopy_tests::api::{random_ip, ANDROID, DESKTOP, FORM, IPHONE};
use canopy_tests::fixtures::{random_email, random_phone};
use canopy_tests::{moto, Harness, Reply};
use serde_json::json;
use std::collections::BTreeMap;

const EVIL: &str = "evil.example";

/// The headers an attacker would set to move the URLs a page or text is built with.
fn hostile(user_agent: &str) -> BTreeMap<String, String> {
    let mut headers = BTreeMap::new();
    for (name, value) in [
        ("host", EVIL.to_string()),
        ("x-forwarded-host", EVIL.to_string()),
        ("x-forwarded-proto", "http".to_string()),
        ("forwarded", format!("host={EVIL};proto=http")),
        ("origin", format!("https://{EVIL}")),
        ("referer", format!("https://{EVIL}/")),
        ("user-agent", user_agent.to_string()),
    ] {
        headers.insert(name.to_string(), value);
    }
    headers
}

/// A request to the link domain with the hostile headers.
async fn link_page(h: &Harness, method: &str, path: &str, ua: &str, form: Option<&str>) -> Reply {
    let mut headers = hostile(ua);
    let body = form.map(|f| {
        headers.insert("content-type".into(), FORM.unwrap().into());
        f.as_bytes().to_vec()
    });
    h.raw_from(
        &random_ip(),
        Api::Link,
        method,
        path,
        headers,
        body.unwrap_or_default(),
    )
    .await
}

/// The answer shows nothing of the hostile host, in its body or any header.
fn untouched(reply: &Reply, what: &str) {
    assert!(!reply.text.contains(EVIL), "{what}: {}", reply.text);
    for header in ["location", "content-security-policy", "link", "refresh"] {
        if let Some(value) = reply.header(header) {
            assert!(!value.contains(EVIL), "{what}: {header}: {value}");
        }
    }
}

#[tokio::test]
async fn a_hostile_host_changes_no_link_page_redirect_or_download_text() {
    let h = Harness::new().await;
    let staff = h.new_practice("Host Clinic").await;
    let code = h.new_link(&staff, &[]).await.code;
    let (_, token) = h.invite_contact(&staff, &random_phone(), None).await;
    let base = &h.app.settings.link_base_url;

    // Pages and redirects: byte for byte what a plain request gets.
    for (path, plain) in [
        (format!("/{code}"), h.click(&code, DESKTOP).await),
        (format!("/i/{token}"), h.open_invite(&token, DESKTOP).await),
    ] {
        assert_eq!(plain.status, 200, "{}", plain.text);
        let poisoned = link_page(&h, "GET", &path, DESKTOP, None).await;
        assert_eq!(poisoned.status, 200, "{path}: {}", poisoned.text);
        assert_eq!(poisoned.text, plain.text, "{path}");
        untouched(&poisoned, &path);
        for ua in [IPHONE, ANDROID] {
            let redirect = link_page(&h, "GET", &path, ua, None).await;
            assert_eq!(redirect.status, 302, "{path}");
            untouched(&redirect, &path);
        }
    }
    // Android's store redirect for an invite carries the token, and the store's own URL.
    let android = link_page(&h, "GET", &format!("/i/{token}"), ANDROID, None).await;
    assert!(android
        .header("location")
        .unwrap()
        .starts_with(&h.app.settings.android_play_store_url));

    // Download texts: the link's and the invite's, to numbers typed on a poisoned page.
    let phone = random_phone();
    let form = format!("phone={}", phone.replace('+', "%2B"));
    let sent = link_page(
        &h,
        "POST",
        &format!("/{code}/download-sms"),
        DESKTOP,
        Some(&form),
    )
    .await;
    assert_eq!(sent.status, 200, "{}", sent.text);
    untouched(&sent, "download-sms");
    let other = random_phone();
    let form = format!("token={token}&phone={}", other.replace('+', "%2B"));
    let sent = link_page(&h, "POST", "/i/download-sms", DESKTOP, Some(&form)).await;
    assert_eq!(sent.status, 200, "{}", sent.text);
    assert_eq!(
        moto::sms_to(&phone),
        vec![format!(
            "Get the Canopy app to message your care team securely: {base}/{code} (link code {code})"
        )]
    );
    assert_eq!(
        moto::sms_to(&other),
        vec![format!(
            "Get the Canopy app to accept your invitation securely: {base}/i/{token}"
        )]
    );
}

#[tokio::test]
async fn an_invite_made_through_a_hostile_host_texts_and_emails_the_configured_url() {
    let h = Harness::new().await;
    let staff = h.new_practice("Host Invite Clinic").await;
    let (phone, email) = (random_phone(), random_email("host"));
    let contact = h
        .new_contact(&staff, "Ann Lee", Some(&phone), Some(&email))
        .await;
    let mut headers = hostile(DESKTOP);
    headers.insert("authorization".into(), format!("Bearer {}", staff.token));
    headers.insert("content-type".into(), "application/json".into());
    let body = json!({ "contact_id": contact["id"] })
        .to_string()
        .into_bytes();
    let made = h
        .raw_from(&random_ip(), Api::App, "POST", "/v1/invites", headers, body)
        .await;
    assert_eq!(made.status, 201, "{}", made.text);
    untouched(&made, "POST /v1/invites");
    let base = format!("{}/i/", h.app.settings.link_base_url);
    let texts = moto::sms_to(&phone);
    assert_eq!(texts.len(), 1, "{texts:?}");
    assert!(
        texts[0].contains(&base) && !texts[0].contains(EVIL),
        "{}",
        texts[0]
    );
    let emails = moto::emails_to(&email);
    assert_eq!(emails.len(), 1, "{emails:?}");
    assert!(emails[0].1.contains(&base), "{}", emails[0].1);
    assert!(!emails[0].1.contains(EVIL), "{}", emails[0].1);
}
