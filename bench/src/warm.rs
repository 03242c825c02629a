//! Warm overhead: a route's handler called in process thousands of times against DynamoDB
//! Local, beside the exact DynamoDB calls that route needs issued directly with the SDK in
//! the same run. The ratio is the handler's overhead over its floor.

use crate::floor::FloorCall;
use crate::stats::percentile;
use crate::warm_scenarios::Bench;
use std::fmt::Write as _;
use std::time::Instant;

/// Milliseconds since `started`.
pub fn ms(started: Instant) -> f64 {
    started.elapsed().as_secs_f64() * 1000.0
}

pub struct Sample {
    pub name: String,
    pub handler: Vec<f64>,
    /// The same DynamoDB calls issued directly with the SDK.
    pub direct: Vec<f64>,
    /// The same requests as raw HTTP, no SDK: what DynamoDB Local itself costs.
    pub raw: Vec<f64>,
}

impl Sample {
    /// No timings yet, with room for `n` of each.
    pub fn new(name: &str, n: usize) -> Self {
        Self {
            name: name.into(),
            handler: Vec::with_capacity(n),
            direct: Vec::with_capacity(n),
            raw: Vec::with_capacity(n),
        }
    }

    /// One handler call, timed; it must answer `status`.
    pub async fn time_handler(&mut self, b: &Bench, function: &str, event: &str, status: u16) {
        let started = Instant::now();
        assert_eq!(b.invoke(function, event).await.0, status);
        self.handler.push(ms(started));
    }

    /// One floor call through the SDK, timed.
    pub async fn time_sdk(&mut self, b: &Bench, call: &FloorCall) {
        let started = Instant::now();
        b.sdk_send_waves(&call.sdk).await;
        self.direct.push(ms(started));
    }

    /// One floor call as raw HTTP, timed.
    pub async fn time_raw(&mut self, b: &Bench, call: &FloorCall) {
        let started = Instant::now();
        b.replay_waves(&call.raw).await;
        self.raw.push(ms(started));
    }
}

/// `only`: just the routes whose name contains it (`--route`).
pub async fn run(
    requests: usize,
    only: Option<&str>,
    summary: &mut crate::summary::Summary,
) -> String {
    let samples = crate::warm_scenarios::all(requests, only).await;
    let mut out = String::new();
    let _ = writeln!(
        out,
        "## Warm handler vs direct SDK floor ({requests} requests each)\n"
    );
    let _ = writeln!(
        out,
        "| route | handler p50 ms | p99 ms | SDK floor p50 ms | p99 ms | p50 ratio | raw HTTP p50 ms |\n|---|---:|---:|---:|---:|---:|---:|"
    );
    for mut s in samples {
        let (hp50, hp99) = (
            percentile(&mut s.handler, 50.0),
            percentile(&mut s.handler, 99.0),
        );
        let (dp50, dp99) = (
            percentile(&mut s.direct, 50.0),
            percentile(&mut s.direct, 99.0),
        );
        // The attachment post has no raw-HTTP replay (its S3 calls go through the SDK).
        let rp50 = match percentile(&mut s.raw, 50.0) {
            p if p.is_nan() => "–".to_string(),
            p => format!("{p:.2}"),
        };
        let _ = writeln!(
            out,
            "| {} | {hp50:.2} | {hp99:.2} | {dp50:.2} | {dp99:.2} | {:.2}× | {rp50} |",
            s.name,
            hp50 / dp50
        );
        summary.add(
            &format!("warm p50 ÷ SDK floor p50: {}", s.name),
            format!("{:.2}× ({hp50:.2} vs {dp50:.2} ms)", hp50 / dp50),
            "≤ 1.1×",
            hp50 / dp50 <= 1.1,
        );
    }
    out.push('\n');
    out
}
