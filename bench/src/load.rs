//! Load: the dev server's router behind a real HTTP listener on loopback, concurrent
//! clients posting messages, messages per second and latency percentiles; beside it, in the
//! same run, DynamoDB Local's own raw write rate (single-item PutItem at the same
//! concurrency), the ceiling any handler here can reach.

use crate::raw_client::{client, send};
use crate::stats::percentile;
use canopy_local::template::Api;
use serde_json::json;
use std::fmt::Write as _;
use std::sync::Arc;
use std::time::Instant;

const CLIENTS: usize = 16;
const POSTS_PER_CLIENT: usize = 100;

pub async fn run() -> String {
    let b = crate::warm_scenarios::Bench::new().await;
    let owner = b.h.new_practice("Load Clinic").await;
    // One conversation per client, so the load measures the service, not one hot item.
    let mut conversations = Vec::new();
    for i in 0..CLIENTS {
        let patient = b.h.new_patient(&owner, &format!("Patient {i}")).await;
        conversations.push(
            b.h.new_conversation(&owner, &[&patient.contact_id], None)
                .await,
        );
    }
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("addr");
    tokio::spawn(canopy_local::server::serve(
        listener,
        Api::App,
        b.h.app.clone(),
        b.h.router.clone(),
    ));
    let http = client();
    let token = Arc::new(owner.token.clone());
    let started = Instant::now();
    let tasks = conversations.into_iter().enumerate().map(|(c, conversation)| {
        let (http, token) = (http.clone(), token.clone());
        tokio::spawn(async move {
            let url = format!("http://{addr}/v1/conversations/{conversation}/messages");
            let headers = vec![
                ("content-type".to_string(), "application/json".to_string()),
                ("authorization".to_string(), format!("Bearer {token}")),
            ];
            let mut latencies = Vec::with_capacity(POSTS_PER_CLIENT);
            for i in 0..POSTS_PER_CLIENT {
                let body = json!({"text": "Load test message", "client_message_id": format!("load-{c}-{i}")}).to_string();
                let t = Instant::now();
                let (status, text) = send(&http, "POST", &url, &headers, body).await;
                assert_eq!(status, 201, "{text}");
                latencies.push(t.elapsed().as_secs_f64() * 1000.0);
            }
            latencies
        })
    });
    let mut latencies: Vec<f64> = futures::future::join_all(tasks)
        .await
        .into_iter()
        .flat_map(|r| r.expect("client"))
        .collect();
    let elapsed = started.elapsed().as_secs_f64();
    let total = latencies.len();

    // DynamoDB Local's raw single-item write rate at the same concurrency.
    let raw_started = Instant::now();
    let writers = (0..CLIENTS).map(|c| {
        let db = b.h.db.clone();
        let table = b.h.app.table().to_string();
        tokio::spawn(async move {
            for i in 0..POSTS_PER_CLIENT {
                db.put_item()
                    .table_name(&table)
                    .item(
                        "pk",
                        aws_sdk_dynamodb::types::AttributeValue::S(format!("LOADRAW#{c}")),
                    )
                    .item(
                        "sk",
                        aws_sdk_dynamodb::types::AttributeValue::S(format!("{i:06}")),
                    )
                    .item(
                        "text",
                        aws_sdk_dynamodb::types::AttributeValue::S("Load test message".into()),
                    )
                    .send()
                    .await
                    .expect("raw put");
            }
        })
    });
    futures::future::join_all(writers).await;
    let raw_elapsed = raw_started.elapsed().as_secs_f64();

    let mut out = String::new();
    let _ = writeln!(
        out,
        "## Load: {CLIENTS} concurrent clients × {POSTS_PER_CLIENT} posts over loopback HTTP\n"
    );
    let _ = writeln!(
        out,
        "| what | per second | p50 ms | p99 ms |\n|---|---:|---:|---:|"
    );
    let (p50, p99) = (
        percentile(&mut latencies, 50.0),
        percentile(&mut latencies, 99.0),
    );
    let _ = writeln!(out, "| POST messages through the dev server (authentication + handler) | {:.0} | {p50:.2} | {p99:.2} |", total as f64 / elapsed);
    let _ = writeln!(
        out,
        "| DynamoDB Local raw PutItem, same concurrency | {:.0} | | |\n",
        total as f64 / raw_elapsed
    );
    out
}
