use super::{front_desk, front_desk_code};
use aws_sdk_dynamodb::types::AttributeValue;
use canopy_shared::adapters::throttle::{ItemLimiter, Throttled};
use canopy_shared::app::{dynamodb_config, https_client, load_sdk_config};
use canopy_shared::domain::time::day;
use canopy_shared::App;
use canopy_tests::api::{ANDROID, DESKTOP, IPHONE};
use canopy_tests::Harness;
use serde_json::json;
use std::sync::Arc;
use std::time::Duration;

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
async fn a_click_is_one_round_trip_of_two_concurrent_calls() {
    let (h, owner) = Harness::with_practice("Elm Street Clinic").await;
    let code = front_desk_code(&h, &owner).await;
    for ua in [IPHONE, ANDROID, DESKTOP] {
        h.app.db_calls.reset();
        h.click(&code, ua).await;
        // The link's GetItem and its counter shard's UpdateItem, issued together.
        // (The counter's operation names read "unknown" in this SDK version; counts are exact.)
        assert_eq!(h.app.db_calls.count(), 2, "{ua}");
    }
    // An unknown code costs the same two calls (and creates nothing); a malformed one none.
    h.app.db_calls.reset();
    assert_eq!(h.click("no-such-code", DESKTOP).await.status, 404);
    assert_eq!(h.app.db_calls.count(), 2);
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

/// The harness app's DynamoDB behind a per-item write limit (see
/// `canopy_shared::adapters::throttle`), and that limiter. Timeouts are a laptop's, not
/// Lambda's: a burst on a loaded machine can stall DynamoDB Local for seconds, which is not
/// what these tests are about.
async fn throttled_harness(
    limiter: Arc<ItemLimiter>,
) -> (Arc<Harness>, Arc<ItemLimiter>, aws_sdk_dynamodb::Client) {
    let sdk = load_sdk_config()
        .await
        .into_builder()
        .http_client(Throttled::client(https_client(), limiter.clone()))
        .timeout_config(
            aws_sdk_dynamodb::config::timeout::TimeoutConfig::builder()
                .connect_timeout(Duration::from_secs(10))
                .operation_attempt_timeout(Duration::from_secs(20))
                .operation_timeout(Duration::from_secs(30))
                .build(),
        )
        .stalled_stream_protection(
            aws_sdk_dynamodb::config::StalledStreamProtectionConfig::disabled(),
        )
        .build();
    let app = App::from_parts(&sdk, canopy_tests::settings().await);
    let db = aws_sdk_dynamodb::Client::from_conf(dynamodb_config(&sdk).build());
    (Arc::new(Harness::with_app(app)), limiter, db)
}

/// `n` requests made by `one(i)`, started at `per_second` (paced, not all at once, so the
/// rate is what the limiter sees whatever this machine's speed), their results in order.
async fn paced<F, Fut, T>(n: usize, per_second: u64, one: F) -> Vec<T>
where
    F: Fn(usize) -> Fut,
    Fut: std::future::Future<Output = T> + Send + 'static,
    T: Send + 'static,
{
    let mut tick = tokio::time::interval(Duration::from_micros(1_000_000 / per_second));
    let mut running = Vec::with_capacity(n);
    for i in 0..n {
        tick.tick().await;
        running.push(tokio::spawn(one(i)));
    }
    futures::future::join_all(running)
        .await
        .into_iter()
        .map(|r| r.expect("request task"))
        .collect()
}

/// The TV-ad burst, scaled down 250× so that a loaded laptop's DynamoDB Local keeps up: one
/// item takes 4 writes a second here (1,000 in DynamoDB) and one code gets 20 clicks a
/// second (5,000), for three seconds.
const ITEM_LIMIT: usize = 4;
const CLICKS_PER_SECOND: u64 = 20;
const BURST: usize = 60;

#[tokio::test]
async fn a_burst_of_five_times_the_item_limit_on_one_code_redirects_and_counts_every_click() {
    // The practice and its link are set up unthrottled; the clicks go through the limit.
    let (plain, owner) = Harness::with_practice("Elm Street Clinic").await;
    let link = front_desk(&plain, &owner).await;
    let code = link["code"].as_str().unwrap().to_string();
    let (h, limiter, db) = throttled_harness(ItemLimiter::new(ITEM_LIMIT)).await;

    // The same burst of writes on one item (what every click did before: an UpdateItem on
    // the link) is throttled: the limiter bites at this rate.
    let (table, hot) = (
        h.app.table().to_string(),
        format!("HOT#{}", ulid::Ulid::new()),
    );
    let single = paced(BURST, CLICKS_PER_SECOND, |_| {
        let (db, table, hot) = (db.clone(), table.clone(), hot.clone());
        async move {
            db.update_item()
                .table_name(table)
                .key("pk", AttributeValue::S(hot))
                .key("sk", AttributeValue::S("#CONTROL".into()))
                .update_expression("ADD clicks :one")
                .expression_attribute_values(":one", AttributeValue::N("1".into()))
                .send()
                .await
        }
    })
    .await;
    let refused = single.iter().filter(|r| r.is_err()).count();
    assert!(
        refused > 0,
        "the control burst on one item was never throttled"
    );
    let throttled_before = limiter.throttled();

    let clicks = paced(BURST, CLICKS_PER_SECOND, |i| {
        let (h, code) = (h.clone(), code.clone());
        async move { h.click(&code, [IPHONE, ANDROID][i % 2]).await.status }
    })
    .await;
    assert!(clicks.iter().all(|s| *s == 302), "{clicks:?}");
    let counted = plain
        .listed_link(&owner, link["id"].as_str().unwrap())
        .await
        .unwrap();
    assert_eq!(counted["clicks"], BURST);
    assert_eq!(
        counted["daily_clicks"],
        json!({ day(h.app.now_ms()): BURST })
    );
    // No shard came near the limit, so nothing was throttled.
    assert_eq!(limiter.throttled(), throttled_before);
}

#[tokio::test]
async fn the_redirect_does_not_depend_on_counting() {
    // One write per item for the whole test (whatever this machine's speed): each of the 16
    // shards takes one count, every other count is refused, and every click is answered.
    let (plain, owner) = Harness::with_practice("Elm Street Clinic").await;
    let link = front_desk(&plain, &owner).await;
    let code = link["code"].as_str().unwrap().to_string();
    let (h, limiter, _) =
        throttled_harness(ItemLimiter::per_window(1, Duration::from_secs(600))).await;
    let clicks = paced(40, 100, |_| {
        let (h, code) = (h.clone(), code.clone());
        async move { h.click(&code, IPHONE).await.status }
    })
    .await;
    assert!(clicks.iter().all(|s| *s == 302), "{clicks:?}");
    assert!(limiter.throttled() > 0);
    let counted = plain
        .listed_link(&owner, link["id"].as_str().unwrap())
        .await
        .unwrap();
    assert_eq!(
        counted["clicks"], 16,
        "one count per shard, the other 24 refused"
    );
}
