//! Deliveries: from a post's answer (its 201) to what leaves the system, through the dev server's stream
//! emulation as a developer runs it (the emulator polls DynamoDB Local's stream; 50 ms pauses
//! when idle). Each on a table of its own, so only its emulator reads the stream.
//!
//! - post → SMS in moto: a staff reply in a standard (SMS) conversation, until moto has
//!   recorded the text to the patient's number;
//! - post → push: a staff post in a secure conversation, until the SNS Publish of the
//!   patient's push returned (the patient reads after each, so each post pushes).
//!
//! The same approach as tests/integration/{channels,notifications}/latency.rs.

use crate::stats::percentile;
use async_trait::async_trait;
use canopy_local::stream::StreamEmulator;
use canopy_shared::adapters::dynamo::{get_s, key, keys};
use canopy_shared::app::{dynamodb_config, load_sdk_config};
use canopy_shared::domain::ids::{AccountId, OrgId};
use canopy_shared::notifications::model::{Platform, PushToken};
use canopy_shared::ports::notifications::{PushError, PushGateway};
use canopy_shared::App;
use canopy_tests::fixtures::random_phone;
use canopy_tests::Harness;
use serde_json::json;
use std::fmt::Write as _;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

const POSTS: usize = 30;

/// A harness on a table of its own, with its stream emulator.
async fn private(adjust: impl FnOnce(&mut App)) -> (Harness, StreamEmulator) {
    let mut settings = canopy_tests::settings().await;
    settings.table_name = format!("canopy-bench-{}", ulid::Ulid::new());
    let sdk = load_sdk_config().await;
    let mut app = App::from_parts(&sdk, settings);
    adjust(&mut app);
    let template = canopy_local::template::load_default().expect("template");
    let admin = aws_sdk_dynamodb::Client::from_conf(dynamodb_config(&sdk).build());
    canopy_local::table::ensure_table(&admin, app.table(), &template.table().expect("table"))
        .await
        .expect("create table");
    let h = Harness::with_app(app);
    let stream = StreamEmulator::new(h.app.clone(), &template)
        .await
        .expect("the table has a stream");
    (h, stream)
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

/// Post → SMS recorded by moto, `POSTS` times.
async fn post_to_sms() -> Vec<f64> {
    let (h, stream) = private(|_| {}).await;
    let staff = h.new_practice("Bench SMS Clinic").await;
    let org: OrgId = staff.org_id.parse().expect("org id");
    let number = h
        .app
        .store
        .take_sms_number(&org)
        .await
        .expect("pool")
        .expect("the local pool has numbers");
    let patient = random_phone();
    let inbound = h
        .call(
            "POST",
            "/_local/sms/inbound",
            Some(json!({"from": patient, "to": number.as_str(), "body": "hello"})),
            None,
        )
        .await;
    assert!(inbound.status < 300, "{}", inbound.text);
    let thread =
        h.db.get_item()
            .table_name(h.app.table())
            .set_key(Some(key(
                keys::thread_pk(&org, "sms", &patient),
                keys::THREAD_SK,
            )))
            .consistent_read(true)
            .send()
            .await
            .expect("thread read")
            .item
            .expect("the inbound text opened a thread");
    let conversation = get_s(&thread, "latest_conversation_id")
        .expect("conversation")
        .to_string();
    tokio::spawn(stream.run());
    let path = format!("/v1/conversations/{conversation}/messages");
    let mut took = Vec::with_capacity(POSTS);
    for i in 0..POSTS {
        let text = format!("Bench probe {i:03}");
        let r = h
            .call(
                "POST",
                &path,
                Some(json!({"text": text, "client_message_id": format!("bench-sms-{i}")})),
                Some(&staff.token),
            )
            .await;
        assert_eq!(r.status, 201, "{}", r.text);
        let start = Instant::now();
        while !canopy_tests::moto::sms_to(&patient).contains(&text) {
            assert!(
                start.elapsed() < Duration::from_secs(10),
                "no SMS for post {i}"
            );
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        took.push(ms(start.elapsed()));
    }
    took
}

/// Records when each publish returned.
struct Timed(Arc<dyn PushGateway>, Arc<Mutex<Vec<Instant>>>);

#[async_trait]
impl PushGateway for Timed {
    async fn register(
        &self,
        p: Platform,
        t: &PushToken,
        a: &AccountId,
    ) -> Result<String, PushError> {
        self.0.register(p, t, a).await
    }
    async fn reassign(&self, e: &str, a: &AccountId) -> Result<(), PushError> {
        self.0.reassign(e, a).await
    }
    async fn publish(&self, endpoint: &str, payload: &str) -> Result<(), PushError> {
        let r = self.0.publish(endpoint, payload).await;
        if let Ok(mut sent) = self.1.lock() {
            sent.push(Instant::now());
        }
        r
    }
    async fn unregister(&self, e: &str) -> Result<(), PushError> {
        self.0.unregister(e).await
    }
}

/// Post → push published, `POSTS` times.
async fn post_to_push() -> Vec<f64> {
    let sent = Arc::new(Mutex::new(Vec::new()));
    let s = sent.clone();
    let (h, stream) = private(move |app| app.push = Arc::new(Timed(app.push.clone(), s))).await;
    let staff = h.new_practice("Bench Push Clinic").await;
    let patient = h.new_patient(&staff, "Robin Vale").await;
    let conversation = h
        .new_conversation(&staff, &[&patient.contact_id], None)
        .await;
    let device = canopy_shared::domain::secrets::token_hash(&ulid::Ulid::new().to_string());
    let registered = h
        .call(
            "POST",
            "/v1/devices",
            Some(json!({"platform": "ios", "token": device})),
            Some(&patient.token),
        )
        .await;
    assert_eq!(registered.status, 201, "{}", registered.text);
    tokio::spawn(stream.run());
    let mut took = Vec::with_capacity(POSTS);
    for i in 0..POSTS {
        let before = sent.lock().expect("lock").len();
        let reply = h
            .api(&staff)
            .post_message(
                &conversation,
                &format!("measure {i}"),
                &format!("measure-{i}"),
            )
            .await;
        assert_eq!(reply.status, 201, "{}", reply.text);
        let posted = Instant::now();
        let id = reply.string("id");
        let at = loop {
            if let Some(at) = sent.lock().expect("lock").get(before).copied() {
                break at;
            }
            assert!(
                posted.elapsed() < Duration::from_secs(10),
                "post {i}: no push"
            );
            tokio::time::sleep(Duration::from_millis(2)).await;
        };
        took.push(ms(at.saturating_duration_since(posted)));
        h.read_through(&patient, &conversation, &id).await;
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    took
}

pub async fn run(summary: &mut crate::summary::Summary) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "## Deliveries through the dev server's stream emulation ({POSTS} posts each, one at a time)\n"
    );
    let _ = writeln!(
        out,
        "| what | p50 ms | p90 ms | max ms |\n|---|---:|---:|---:|"
    );
    for (name, mut took) in [
        ("post → SMS recorded by moto", post_to_sms().await),
        ("post → push published (SNS in moto)", post_to_push().await),
    ] {
        let (p50, p90, max) = (
            percentile(&mut took, 50.0),
            percentile(&mut took, 90.0),
            percentile(&mut took, 100.0),
        );
        let _ = writeln!(out, "| {name} | {p50:.0} | {p90:.0} | {max:.0} |");
        summary.report(
            &format!("{name}, from the post's answer"),
            format!("p50 {p50:.0} ms, p90 {p90:.0} ms"),
            "reported (the stream emulator polls every 50 ms when idle)",
        );
    }
    out.push('\n');
    out
}
