//! Hot keys: one link code clicked at five times what one DynamoDB item takes, through a
//! store whose HTTP client injects `ThrottlingException` above a per-item write rate
//! (`canopy_shared::adapters::throttle`; DynamoDB Local never throttles). Scaled down for a
//! laptop: the item limit and the click rate are both divided by `SCALE`, so the ratio is
//! the TV ad's (5,000 clicks/s on one code against ~1,000 writes/s per item).
//!
//! Beside it, the control: the same rate of writes on one item (what every click did before
//! the counter was sharded), and how many of those DynamoDB would have refused.

use crate::stats::percentile;
use canopy_shared::adapters::throttle::{ItemLimiter, Throttled};
use canopy_shared::app::{dynamodb_config, https_client, load_sdk_config};
use canopy_shared::App;
use canopy_tests::api::IPHONE;
use canopy_tests::Harness;
use serde_json::json;
use std::fmt::Write as _;
use std::sync::Arc;
use std::time::{Duration, Instant};

const SCALE: usize = 25;
const ITEM_LIMIT: usize = 1_000 / SCALE;
const CLICKS_PER_SECOND: usize = 5_000 / SCALE;
const SECONDS: usize = 3;

/// Starts `n` tasks at `per_second`, returns their outputs.
async fn paced<F, Fut, T>(n: usize, per_second: usize, one: F) -> Vec<T>
where
    F: Fn(usize) -> Fut,
    Fut: std::future::Future<Output = T> + Send + 'static,
    T: Send + 'static,
{
    let mut tick = tokio::time::interval(Duration::from_micros(1_000_000 / per_second as u64));
    let mut running = Vec::with_capacity(n);
    for i in 0..n {
        tick.tick().await;
        running.push(tokio::spawn(one(i)));
    }
    futures::future::join_all(running)
        .await
        .into_iter()
        .map(|r| r.expect("task"))
        .collect()
}

pub async fn run(summary: &mut crate::summary::Summary) -> String {
    let limiter = ItemLimiter::new(ITEM_LIMIT);
    let sdk = load_sdk_config()
        .await
        .into_builder()
        .http_client(Throttled::client(https_client(), limiter.clone()))
        .build();
    let plain = Harness::new().await;
    let owner = plain.new_practice("Ad Campaign Clinic").await;
    let link = plain.create_link(&owner, json!({"label": "TV ad"})).await;
    let code = link["code"].as_str().expect("code").to_string();
    let id = link["id"].as_str().expect("id").to_string();
    let h = Arc::new(Harness::with_app(App::from_parts(
        &sdk,
        canopy_tests::settings().await,
    )));
    let n = CLICKS_PER_SECOND * SECONDS;

    let started = Instant::now();
    let clicks = paced(n, CLICKS_PER_SECOND, |_| {
        let (h, code) = (h.clone(), code.clone());
        async move {
            let t = Instant::now();
            let status = h.click(&code, IPHONE).await.status;
            (status, t.elapsed().as_secs_f64() * 1000.0)
        }
    })
    .await;
    let rate = n as f64 / started.elapsed().as_secs_f64();
    let redirected = clicks.iter().filter(|(s, _)| *s == 302).count();
    let mut latencies: Vec<f64> = clicks.iter().map(|(_, ms)| *ms).collect();
    let counted = plain
        .listed_link(&owner, &id)
        .await
        .and_then(|l| l["clicks"].as_u64())
        .unwrap_or(0);
    let throttled = limiter.throttled();

    // The control: the same rate of single-item writes (the pre-sharding click).
    let db = aws_sdk_dynamodb::Client::from_conf(dynamodb_config(&sdk).build());
    let (table, hot) = (
        h.app.table().to_string(),
        format!("HOT#{}", ulid::Ulid::new()),
    );
    let control = paced(n, CLICKS_PER_SECOND, |_| {
        let (db, table, hot) = (db.clone(), table.clone(), hot.clone());
        async move {
            db.update_item()
                .table_name(table)
                .key("pk", aws_sdk_dynamodb::types::AttributeValue::S(hot))
                .key(
                    "sk",
                    aws_sdk_dynamodb::types::AttributeValue::S("#CONTROL".into()),
                )
                .update_expression("ADD clicks :one")
                .expression_attribute_values(
                    ":one",
                    aws_sdk_dynamodb::types::AttributeValue::N("1".into()),
                )
                .send()
                .await
                .is_ok()
        }
    })
    .await;
    let control_ok = control.iter().filter(|ok| **ok).count();

    summary.add(
        &format!("hot key: one link code at 5× the per-item write limit (1:{SCALE} scale)"),
        format!("{redirected}/{n} redirected, {counted}/{n} counted, {throttled} throttled"),
        "every click redirected and counted, none throttled",
        redirected == n && counted as usize == n && throttled == 0,
    );
    let mut out = String::new();
    let _ = writeln!(
        out,
        "## Hot key: one link code at 5× the per-item write limit (scaled 1:{SCALE}: {ITEM_LIMIT} writes/s per item, {CLICKS_PER_SECOND} clicks/s for {SECONDS} s)\n"
    );
    let _ = writeln!(
        out,
        "| what | achieved /s | answered | counted | throttled attempts | p50 ms | p99 ms | target |\n|---|---:|---:|---:|---:|---:|---:|---|"
    );
    let (p50, p99) = (
        percentile(&mut latencies, 50.0),
        percentile(&mut latencies, 99.0),
    );
    let _ = writeln!(
        out,
        "| GET /{{code}} (sharded counter, 16 shards) | {rate:.0} | {redirected}/{n} | {counted}/{n} | {throttled} | {p50:.2} | {p99:.2} | every click redirected and counted |"
    );
    let _ = writeln!(
        out,
        "| control: one UpdateItem per click on one item (before) | | {control_ok}/{n} writes succeeded | | {} | | (shows the limit bites) |\n",
        limiter.throttled() - throttled
    );
    out
}
