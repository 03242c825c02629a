//! A measurement, not a check of behaviour (run it on purpose: `scripts/test.sh -p
//! canopy-tests -- notifications::latency --ignored --nocapture`): the time from sending a
//! post to the SNS Publish of its push (returned by moto), with the stream emulator polling as the dev server
//! runs it, over 100 posts (the patient reads after each push, so each post pushes).

use super::Notify;
use async_trait::async_trait;
use canopy_shared::domain::ids::AccountId;
use canopy_shared::notifications::model::{Platform, PushToken};
use canopy_shared::ports::notifications::{PushError, PushGateway};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// Records when each publish went out, then publishes.
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

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "a measurement: run with --ignored --nocapture"]
async fn post_to_push_latency_over_100_posts() {
    let sent = Arc::new(Mutex::new(Vec::new()));
    let s = sent.clone();
    let n = Notify::build(move |app| app.push = Arc::new(Timed(app.push.clone(), s))).await;
    let (staff, patient, conv) = n.practice_with_patient("Rowan Clinic").await;
    n.device(&patient.token, "ios").await;
    let Notify { h, stream } = n;
    tokio::spawn(stream.run()); // the dev server's poller: 50 ms pauses when idle
    let mut latencies = Vec::new();
    for i in 0..100 {
        let before = sent.lock().unwrap().len();
        let posted = Instant::now();
        let reply = h
            .api(&staff)
            .post_message(&conv, &format!("measure {i}"), &format!("measure-{i}"))
            .await;
        assert_eq!(reply.status, 201, "{}", reply.text);
        let id = reply.string("id");
        let deadline = posted + Duration::from_secs(10);
        let at = loop {
            if let Some(at) = sent.lock().unwrap().get(before).copied() {
                break at;
            }
            assert!(Instant::now() < deadline, "post {i}: no push within 10 s");
            tokio::time::sleep(Duration::from_millis(2)).await;
        };
        latencies.push(at.saturating_duration_since(posted));
        h.read_through(&patient, &conv, &id).await;
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    latencies.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    println!(
        "post → push over {} posts: p50 {:.0} ms, p90 {:.0} ms, max {:.0} ms",
        latencies.len(),
        ms(latencies[49]),
        ms(latencies[89]),
        ms(latencies[99])
    );
}
