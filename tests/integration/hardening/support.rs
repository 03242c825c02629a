//! Harnesses with the budgets a test needs, and requests from a chosen client address.

use canopy_local::template::Api;
use canopy_shared::app::load_sdk_config;
use canopy_shared::config::Settings;
use canopy_shared::ports::Clock;
use canopy_shared::App;
use canopy_tests::{Harness, Reply};
use serde_json::Value;
use std::collections::BTreeMap;
use std::sync::Arc;

/// A harness whose settings `adjust` changes (tighter budgets, other countries).
pub async fn harness_with(adjust: impl FnOnce(&mut Settings)) -> Harness {
    let mut settings = canopy_tests::settings().await;
    adjust(&mut settings);
    let sdk = load_sdk_config().await;
    Harness::with_app(App::from_parts(&sdk, settings))
}

/// The same on a table of its own: global windows no other test spends.
pub async fn harness_alone(adjust: impl FnOnce(&mut Settings)) -> Harness {
    let mut settings = canopy_tests::settings().await;
    let sdk = load_sdk_config().await;
    let db = aws_sdk_dynamodb::Client::from_conf(canopy_shared::app::dynamodb_config(&sdk).build());
    let name = format!("canopy-test-alone-{}", ulid::Ulid::new());
    let def = canopy_local::template::load_default()
        .expect("template.yaml")
        .table()
        .expect("table definition");
    canopy_local::table::ensure_table(&db, &name, &def)
        .await
        .expect("create table");
    settings.table_name = name;
    adjust(&mut settings);
    Harness::with_app(App::from_parts(&sdk, settings))
}

/// A harness with `clock` and adjusted settings.
pub async fn harness_clocked(clock: Arc<dyn Clock>) -> Harness {
    let settings = canopy_tests::settings().await;
    let sdk = load_sdk_config().await;
    let mut app = App::from_parts(&sdk, settings);
    app.clock = clock;
    Harness::with_app(app)
}

/// `POST path` with a JSON body from the client address `ip`.
pub async fn post_from(h: &Harness, ip: &str, path: &str, body: Value) -> Reply {
    let mut headers = BTreeMap::new();
    headers.insert("content-type".to_string(), "application/json".to_string());
    h.raw_from(
        ip,
        Api::App,
        "POST",
        path,
        headers,
        body.to_string().into_bytes(),
    )
    .await
}

/// A 429 in the contract's shape, with a `Retry-After` of at least a second.
pub fn assert_limited(reply: &Reply, code: &str) -> u64 {
    assert_eq!(reply.status, 429, "{}", reply.text);
    assert_eq!(reply.error_code(), code, "{}", reply.text);
    assert!(!reply.error_message().is_empty());
    let secs: u64 = reply
        .header("retry-after")
        .expect("Retry-After")
        .parse()
        .expect("whole seconds");
    assert!(secs >= 1);
    secs
}

/// A fresh client address nobody else uses.
pub fn address() -> String {
    canopy_tests::test_address()
}

/// A harness with `clock` and settings `adjust` changes.
pub async fn harness_clocked_with(
    clock: Arc<dyn Clock>,
    adjust: impl FnOnce(&mut Settings),
) -> Harness {
    let mut settings = canopy_tests::settings().await;
    adjust(&mut settings);
    let sdk = load_sdk_config().await;
    let mut app = App::from_parts(&sdk, settings);
    app.clock = clock;
    Harness::with_app(app)
}
