//! `--phases`: where a warm call's time goes, for the handler and for its SDK floor. Each
//! call is split at its DynamoDB requests (recorded at the HTTP layer: sent after the SDK
//! serialised and signed it, answered before it parsed the response) into the time before
//! the first request left, the time with requests in flight, and the time after the last
//! answer. The floor pays the SDK's share of "before" and "after" too, so the difference
//! between the two is the handler's own work (event parsing, authentication, the use case,
//! the items' conversion, the response). Printed to stderr, medians over `n` calls; a
//! diagnosis, not a figure of the table (recording costs a little on both sides).

use crate::recorder::{Recorded, Recorder};
use crate::stats::median;
use crate::warm_scenarios::Bench;
use std::future::Future;
use std::time::Instant;

/// Whether `--phases` was given.
pub fn wanted() -> bool {
    std::env::args().any(|a| a == "--phases")
}

#[derive(Default)]
struct Split {
    before: Vec<f64>,
    flight: Vec<f64>,
    after: Vec<f64>,
    /// Per request (in the order sent): its operation, when it left after the first one,
    /// and how long its answer took.
    requests: Vec<(String, Vec<f64>, Vec<f64>)>,
}

impl Split {
    fn add(&mut self, started: Instant, ended: Instant, requests: &[Recorded]) {
        let ms =
            |from: Instant, to: Instant| to.saturating_duration_since(from).as_secs_f64() * 1000.0;
        let Some(first) = requests.iter().map(|r| r.sent).min() else {
            return;
        };
        let last = requests
            .iter()
            .filter_map(|r| r.answered)
            .max()
            .unwrap_or(ended);
        self.before.push(ms(started, first));
        self.flight.push(ms(first, last));
        self.after.push(ms(last, ended));
        for (i, r) in requests.iter().enumerate() {
            if self.requests.len() <= i {
                let target = r.target();
                let op = target.rsplit('.').next().unwrap_or_default().to_string();
                self.requests.push((op, vec![], vec![]));
            }
            let (_, leaves, takes) = &mut self.requests[i];
            leaves.push(ms(first, r.sent));
            takes.push(ms(r.sent, r.answered.unwrap_or(ended)));
        }
    }

    fn line(&mut self) -> String {
        let requests: Vec<String> = self
            .requests
            .iter_mut()
            .map(|(op, leaves, takes)| {
                format!("{op} +{:.3} takes {:.3}", median(leaves), median(takes))
            })
            .collect();
        format!(
            "before {:.3} · in flight {:.3} · after {:.3} · {}",
            median(&mut self.before),
            median(&mut self.flight),
            median(&mut self.after),
            requests.join(", ")
        )
    }
}

async fn split<F, Fut>(recorder: &Recorder, n: usize, mut call: F) -> Split
where
    F: FnMut() -> Fut,
    Fut: Future<Output = ()>,
{
    let mut split = Split::default();
    for _ in 0..n {
        recorder.take();
        recorder.pause(false);
        let started = Instant::now();
        call().await;
        let ended = Instant::now();
        recorder.pause(true);
        split.add(started, ended, &recorder.take());
    }
    split
}

/// Prints the phases of `n` handler calls of `event` and `n` replays of `floor`.
pub async fn print(
    b: &Bench,
    name: &str,
    function: &str,
    event: &str,
    floor: &[Vec<Recorded>],
    n: usize,
) {
    let mut handler = split(&b.recorder, n, || async {
        b.invoke(function, event).await;
    })
    .await;
    let calls = crate::floor::calls(&b.direct, floor, n);
    let mut next = calls.iter();
    let mut direct = split(&b.direct_recorder, n, || {
        b.sdk_send_waves(&next.next().expect("a call each").sdk)
    })
    .await;
    eprintln!(
        "phases, {name} (ms, medians of {n}):\n  handler: {}\n  floor:   {}",
        handler.line(),
        direct.line()
    );
}
