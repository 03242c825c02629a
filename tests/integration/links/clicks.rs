use super::{front_desk, front_desk_code};
use canopy_shared::domain::time::day;
use canopy_tests::api::{ANDROID, DESKTOP, IPHONE};
use canopy_tests::Harness;
use serde_json::json;

#[tokio::test]
async fn iphone_android_and_desktop_clicks_go_to_the_right_place_and_are_counted() {
    let (h, owner) = Harness::with_practice("Elm Street Clinic").await;
    let link = front_desk(&h, &owner).await;
    let code = link["code"].as_str().unwrap();

    let iphone = h.click(code, IPHONE).await;
    assert_eq!(iphone.status, 302);
    assert_eq!(
        iphone.header("location").unwrap(),
        h.app.settings.ios_app_store_url
    );
    let ipad = h
        .click(code, "Mozilla/5.0 (iPad; CPU OS 16_6 like Mac OS X)")
        .await;
    assert_eq!(ipad.status, 302);
    assert_eq!(
        ipad.header("location").unwrap(),
        h.app.settings.ios_app_store_url
    );

    let android = h.click(code, ANDROID).await;
    assert_eq!(android.status, 302);
    assert_eq!(
        android.header("location").unwrap(),
        format!(
            "{}&referrer=link_code%3D{code}",
            h.app.settings.android_play_store_url
        )
    );

    let desktop = h.click(code, DESKTOP).await;
    assert_eq!(desktop.status, 200);
    assert!(desktop
        .header("content-type")
        .unwrap()
        .starts_with("text/html"));
    assert!(desktop.text.contains("Elm Street Clinic"));
    assert!(desktop.text.contains("Front desk"));
    assert!(desktop
        .text
        .contains(&format!(r#"action="/{code}/download-sms""#)));
    assert!(desktop.text.contains(r#"<label for="phone">"#));
    assert!(desktop.text.contains(r#"<html lang="en">"#));
    // No external assets, no scripts.
    assert!(!desktop.text.contains("http://") && !desktop.text.contains("https://"));
    assert!(!desktop.text.contains("<script"));
    let csp = desktop.header("content-security-policy").unwrap();
    assert!(
        csp.starts_with("default-src 'none'; style-src 'sha256-"),
        "{csp}"
    );
    assert_eq!(desktop.header("referrer-policy").unwrap(), "no-referrer");
    assert_eq!(desktop.header("x-content-type-options").unwrap(), "nosniff");
    assert!(desktop
        .header("strict-transport-security")
        .unwrap()
        .contains("max-age="));
    assert_eq!(desktop.header("cache-control").unwrap(), "no-store");

    // Upper case in the URL is the same link.
    assert_eq!(h.click(&code.to_uppercase(), DESKTOP).await.status, 200);

    let counted = h
        .listed_link(&owner, link["id"].as_str().unwrap())
        .await
        .unwrap();
    assert_eq!(counted["clicks"], 5);
    assert_eq!(counted["daily_clicks"], json!({ day(h.app.now_ms()): 5 }));
}

#[tokio::test]
async fn a_click_is_one_dynamodb_round_trip() {
    let (h, owner) = Harness::with_practice("Elm Street Clinic").await;
    let code = front_desk_code(&h, &owner).await;
    for ua in [IPHONE, ANDROID, DESKTOP] {
        h.app.db_calls.reset();
        h.click(&code, ua).await;
        // (The counter's operation names read "unknown" in this SDK version; counts are exact.)
        assert_eq!(h.app.db_calls.count(), 1, "{ua}");
    }
    // An unknown code costs the same one call; a malformed one costs none.
    h.app.db_calls.reset();
    assert_eq!(h.click("no-such-code", DESKTOP).await.status, 404);
    assert_eq!(h.app.db_calls.count(), 1);
    h.app.db_calls.reset();
    assert_eq!(h.click("x", DESKTOP).await.status, 404);
    assert_eq!(h.app.db_calls.count(), 0);
}

#[tokio::test]
async fn unknown_and_disabled_codes_look_identical() {
    let (h, owner) = Harness::with_practice("Elm Street Clinic").await;
    let link = h.create_link(&owner, json!({"label": "Old flyer"})).await;
    let (id, code) = (link["id"].as_str().unwrap(), link["code"].as_str().unwrap());
    let off = h.api(&owner).patch_link(id, json!({"active": false})).await;
    assert_eq!(off.status, 200);

    for ua in [DESKTOP, IPHONE, ANDROID] {
        let disabled = h.click(code, ua).await;
        let unknown = h.click("zz-unknown-code", ua).await;
        assert_eq!(disabled.status, 404);
        assert_eq!(disabled.status, unknown.status);
        assert_eq!(disabled.text.as_bytes(), unknown.text.as_bytes());
        assert_eq!(
            disabled.header("content-type"),
            unknown.header("content-type")
        );
        assert!(!disabled.text.contains("Elm Street") && !disabled.text.contains(code));
    }
    // A disabled link's clicks are not counted.
    assert_eq!(h.listed_link(&owner, id).await.unwrap()["clicks"], 0);
}
