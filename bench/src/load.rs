//! Load: the dev server's router behind a real HTTP listener on loopback, concurrent
//! clients posting messages, messages per second and latency percentiles; beside it, in the
//! same run, the like-for-like floor: exactly the DynamoDB requests one post makes through
//! the dev server (the handler's own authentication reads, then its transaction), recorded per
//! client, replayed through the SDK straight to DynamoDB Local at the same concurrency,
//! requests that were in flight together sent together; and DynamoDB Local's raw
//! single-item write rate.

use crate::raw_client::{client, send};
use crate::recorder::{waves, Recorded};
use crate::stats::percentile;
use canopy_local::template::Api;
use serde_json::json;
use std::fmt::Write as _;
use std::sync::Arc;
use std::time::Instant;

const CLIENTS: usize = 16;
const POSTS_PER_CLIENT: usize = 100;
/// Served and floor take turns, a quarter of the posts each time.
const ROUNDS: usize = 4;

pub async fn run(summary: &mut crate::summary::Summary) -> String {
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
    // Measured: the dev server as `canopy-local` runs it (an `App::from_parts`, no
    // recording). The bench's recording app serves on a second listener, for the floor's
    // templates only.
    let served = canopy_tests::Harness::new().await;
    let addr = listen(served.app.clone(), served.router.clone()).await;
    let recording = listen(b.h.app.clone(), b.h.router.clone()).await;
    let http = client();
    let token = Arc::new(owner.token.clone());
    // The floor: one post per client recorded (authentication included), then replayed.
    b.recorder.take();
    let mut templates = Vec::new();
    for (c, conversation) in conversations.iter().enumerate() {
        let url = format!("http://{recording}/v1/conversations/{conversation}/messages");
        let headers = vec![
            ("content-type".to_string(), "application/json".to_string()),
            ("authorization".to_string(), format!("Bearer {token}")),
        ];
        let tag = format!("floor-template-{c}");
        let body = json!({"text": "Load test message", "client_message_id": tag}).to_string();
        let (status, text) = send(&http, "POST", &url, &headers, body).await;
        assert_eq!(status, 201, "{text}");
        let id = serde_json::from_str::<serde_json::Value>(&text).expect("json")["id"]
            .as_str()
            .expect("id")
            .to_string();
        templates.push((waves(b.recorder.take()), id, tag));
    }
    let calls_per_post = templates[0].0.iter().map(Vec::len).sum::<usize>();
    let round_trips_per_post = templates[0].0.len();
    // Served and floor alternate in rounds, so the JVM's warm-up and the machine's drifting
    // load fall on both alike (run back to back, whichever went first was slower).
    let (mut latencies, mut floor_latencies) = (Vec::new(), Vec::new());
    let (mut elapsed, mut floor_elapsed, mut floor_conflicts) = (0.0, 0.0, 0);
    for round in 0..ROUNDS {
        let posts = POSTS_PER_CLIENT / ROUNDS;
        let (l, e) = served_round(addr, &http, &token, &conversations, round, posts).await;
        latencies.extend(l);
        elapsed += e;
        let (l, c, e) = floor_round(&b.direct, &templates, posts).await;
        floor_latencies.extend(l);
        floor_conflicts += c;
        floor_elapsed += e;
    }
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
    let served = total as f64 / elapsed;
    let floor = floor_latencies.len() as f64 / floor_elapsed;
    let _ = writeln!(out, "| POST messages through the dev server (authentication + handler) | {served:.0} | {p50:.2} | {p99:.2} |");
    let (f50, f99) = (
        percentile(&mut floor_latencies, 50.0),
        percentile(&mut floor_latencies, 99.0),
    );
    let _ = writeln!(out, "| floor: the same {calls_per_post} DynamoDB calls per post ({round_trips_per_post} sequential round trips) replayed through the SDK, same concurrency ({floor_conflicts} conflicts retried) | {floor:.0} | {f50:.2} | {f99:.2} |");
    let _ = writeln!(
        out,
        "| **dev server ÷ floor** (target ≥ 0.8) | {:.2} | | |",
        served / floor
    );
    summary.add(
        &format!("load: {CLIENTS} clients × {POSTS_PER_CLIENT} posts through the dev server ÷ like-for-like floor"),
        format!("{:.2}× ({served:.0} vs {floor:.0} posts/s; p50 {p50:.1} vs {f50:.1} ms)", served / floor),
        "≥ 0.8×",
        served / floor >= 0.8,
    );
    let _ = writeln!(
        out,
        "| DynamoDB Local raw PutItem, same concurrency | {:.0} | | |\n",
        total as f64 / raw_elapsed
    );
    out
}

/// `posts` posts per client through the dev server at `addr`, all clients at once;
/// latencies and the elapsed seconds.
async fn served_round(
    addr: std::net::SocketAddr,
    http: &crate::raw_client::HttpClient,
    token: &Arc<String>,
    conversations: &[String],
    round: usize,
    posts: usize,
) -> (Vec<f64>, f64) {
    let started = Instant::now();
    let tasks = conversations.iter().cloned().enumerate().map(|(c, conversation)| {
        let (http, token) = (http.clone(), token.clone());
        tokio::spawn(async move {
            let url = format!("http://{addr}/v1/conversations/{conversation}/messages");
            let headers = vec![
                ("content-type".to_string(), "application/json".to_string()),
                ("authorization".to_string(), format!("Bearer {token}")),
            ];
            let mut latencies = Vec::with_capacity(posts);
            for i in 0..posts {
                let body = json!({"text": "Load test message", "client_message_id": format!("load-{round}-{c}-{i}")}).to_string();
                let t = Instant::now();
                let (status, text) = send(&http, "POST", &url, &headers, body).await;
                assert_eq!(status, 201, "{text}");
                latencies.push(t.elapsed().as_secs_f64() * 1000.0);
            }
            latencies
        })
    });
    let latencies = futures::future::join_all(tasks)
        .await
        .into_iter()
        .flat_map(|r| r.expect("client"))
        .collect();
    (latencies, started.elapsed().as_secs_f64())
}

/// `posts` replays per client of its template post straight to DynamoDB Local, all clients
/// at once; latencies, conflicts retried and the elapsed seconds.
async fn floor_round(
    db: &aws_sdk_dynamodb::Client,
    templates: &[(Vec<Vec<Recorded>>, String, String)],
    posts: usize,
) -> (Vec<f64>, usize, f64) {
    let floor_started = Instant::now();
    let replays = templates.iter().cloned().map(|(template, id, tag)| {
        let db = db.clone();
        tokio::spawn(async move {
            let mut latencies = Vec::with_capacity(posts);
            let mut conflicts = 0;
            for _ in 0..posts {
                let fresh_id = format!("msg_{}", ulid::Ulid::new());
                let fresh_tag = format!("floor-{}", ulid::Ulid::new());
                let t = Instant::now();
                for wave in &template {
                    let sends = wave.iter().map(|r| {
                        let body = fresh(r, &id, &fresh_id, &tag, &fresh_tag);
                        let (db, target) = (db.clone(), r.target());
                        async move {
                            // As the handler does (`with_conflict_retry`): a transaction
                            // conflict is retried.
                            let mut attempts = 0;
                            loop {
                                match crate::sdk_replay::try_send(&db, &target, &body).await {
                                    Ok(()) => return attempts,
                                    Err(e) if e.contains("TransactionConflict") && attempts < 5 => {
                                        attempts += 1
                                    }
                                    Err(e) => panic!("floor replay of {target} failed: {e}"),
                                }
                            }
                        }
                    });
                    conflicts += futures::future::join_all(sends).await.iter().sum::<usize>();
                }
                latencies.push(t.elapsed().as_secs_f64() * 1000.0);
            }
            (latencies, conflicts)
        })
    });
    let mut latencies = Vec::new();
    let mut conflicts = 0;
    for r in futures::future::join_all(replays).await {
        let (l, c) = r.expect("replay client");
        latencies.extend(l);
        conflicts += c;
    }
    (latencies, conflicts, floor_started.elapsed().as_secs_f64())
}

/// Serves the app API on a loopback port of its own; returns its address.
async fn listen(
    app: Arc<canopy_shared::App>,
    router: Arc<canopy_local::router::Router>,
) -> std::net::SocketAddr {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("addr");
    tokio::spawn(canopy_local::server::serve(listener, Api::App, app, router));
    addr
}

/// A recorded request of the template post, for a new post: its message id, client message
/// id and (for the transaction) request token replaced.
fn fresh(r: &Recorded, id: &str, fresh_id: &str, tag: &str, fresh_tag: &str) -> String {
    let body = r.body.replace(id, fresh_id).replace(tag, fresh_tag);
    let mut json: serde_json::Value = serde_json::from_str(&body).expect("json body");
    if json.get("ClientRequestToken").is_some() {
        json["ClientRequestToken"] = json!(ulid::Ulid::new().to_string());
    }
    json.to_string()
}
