//! Scale: per-operation cost beside the amount of data. Each operation is timed (p50 of
//! `SAMPLES`) and its DynamoDB calls counted in a small scene and a large one, measured in
//! the same run; the target is a ratio near 1.0 and the same number of calls. For groups,
//! every participant reads the newest message at once, and the most writes any one item
//! took in such a round is reported (read receipts that all land on one item contend).

use crate::recorder::Recorded;
use crate::scale_scenes::{ScaleBench, Scene};
use crate::stats::percentile;
use crate::summary::Summary;
use aws_smithy_runtime_api::client::orchestrator::HttpRequest;
use aws_smithy_types::body::SdkBody;
use canopy_tests::Reply;
use std::collections::HashMap;
use std::fmt::Write as _;
use std::future::Future;
use std::time::Instant;

const SAMPLES: usize = 30;
const MANY_CONVERSATIONS: usize = 10_000;
const MANY_MESSAGES: usize = 100_000;
const GROUP: usize = canopy_shared::conversations::create::MAX_PARTICIPANTS;

/// One operation's p50 and its DynamoDB calls (the most any one call made).
#[derive(Debug, Clone, Copy)]
struct Measured {
    p50: f64,
    calls: usize,
}

async fn measure<F, Fut>(b: &ScaleBench, mut op: F) -> Measured
where
    F: FnMut(usize) -> Fut,
    Fut: Future<Output = Option<(Instant, Reply)>>,
{
    let (mut times, mut calls) = (Vec::with_capacity(SAMPLES), 0);
    for i in 0..SAMPLES {
        b.h.app.db_calls.reset();
        if let Some((started, reply)) = op(i).await {
            let took = started.elapsed().as_secs_f64() * 1000.0;
            assert!(reply.status < 300, "{} {}", reply.status, reply.text);
            times.push(took);
            calls = calls.max(b.h.app.db_calls.count());
        }
    }
    Measured {
        p50: percentile(&mut times, 50.0),
        calls,
    }
}

/// Post, read of the newest, staff inbox page and messages page on a scene's conversation.
async fn operations(b: &ScaleBench, s: &Scene) -> Vec<(&'static str, Measured)> {
    let (h, staff, conv) = (&b.h, &s.staff, s.conversation.as_str());
    let patient = &s.patients[0];
    let post = measure(b, |i| async move {
        let tag = format!("scale-post-{i}");
        let t = Instant::now();
        Some((
            t,
            h.api(staff).post_message(conv, "Scale probe", &tag).await,
        ))
    })
    .await;
    let read = measure(b, |i| async move {
        let id = h
            .post_id(staff, conv, "Scale read", &format!("scale-read-{i}"))
            .await;
        h.app.db_calls.reset();
        let t = Instant::now();
        Some((t, h.api(patient).read(conv, &id).await))
    })
    .await;
    let inbox = measure(b, |_| async move {
        let t = Instant::now();
        Some((t, h.api(staff).inbox("").await))
    })
    .await;
    let page = measure(b, |_| async move {
        let t = Instant::now();
        Some((t, h.api(staff).messages(conv, "").await))
    })
    .await;
    vec![
        ("post", post),
        ("read (newest)", read),
        ("inbox page", inbox),
        ("messages page", page),
    ]
}

/// Every reader of the group reads the newest message at once, `SAMPLES` rounds: the p50
/// of one read, calls per read, and the most writes one item took in a round.
async fn group_reads(b: &ScaleBench, s: &Scene) -> (Measured, usize, usize) {
    let (mut times, mut calls, mut hottest, mut failed) = (Vec::new(), 0, 0, 0);
    for i in 0..SAMPLES {
        let id =
            b.h.post_id(
                &s.staff,
                &s.conversation,
                "Group read",
                &format!("group-{i}"),
            )
            .await;
        b.recorder.take();
        b.h.app.db_calls.reset();
        let reads = s.patients.iter().map(|p| {
            let (h, conv, id) = (&b.h, &s.conversation, &id);
            async move {
                let t = Instant::now();
                let r = h.api(p).read(conv, id).await;
                (t.elapsed().as_secs_f64() * 1000.0, r.status)
            }
        });
        for (took, status) in futures::future::join_all(reads).await {
            times.push(took);
            failed += usize::from(status != 200);
        }
        calls = calls.max(b.h.app.db_calls.count().div_ceil(s.patients.len()));
        hottest = hottest.max(most_writes_to_one_item(&b.recorder.take()));
    }
    let p50 = percentile(&mut times, 50.0);
    (Measured { p50, calls }, hottest, failed)
}

/// The most writes any one item took among `recorded` (each attempt counts).
fn most_writes_to_one_item(recorded: &[Recorded]) -> usize {
    let mut per_item: HashMap<String, usize> = HashMap::new();
    for r in recorded {
        let mut request = HttpRequest::new(SdkBody::from(r.body.clone()));
        request.headers_mut().insert("x-amz-target", r.target());
        for item in canopy_shared::adapters::throttle::written_items(&request) {
            *per_item.entry(item).or_default() += 1;
        }
    }
    per_item.into_values().max().unwrap_or(0)
}

fn row(
    out: &mut String,
    summary: &mut Summary,
    scale: &str,
    op: &str,
    small: Measured,
    large: Measured,
) {
    let ratio = large.p50 / small.p50;
    let _ = writeln!(
        out,
        "| {scale} | {op} | {:.2} | {:.2} | {ratio:.2}× | {} | {} |",
        small.p50, large.p50, small.calls, large.calls
    );
    summary.add(
        &format!("scale: {op}, {scale} (large ÷ small p50; calls)"),
        format!("{ratio:.2}×; {} vs {} calls", small.calls, large.calls),
        "≈ 1.0× (≤ 1.2×), same calls",
        ratio <= 1.2 && small.calls == large.calls,
    );
}

pub async fn run(summary: &mut Summary) -> String {
    let b = ScaleBench::new().await;
    let mut out = String::new();
    let mut seeding = Vec::new();
    let mut table = String::new();
    let dimensions = [
        ("conversations in a practice", 10, MANY_CONVERSATIONS),
        ("messages in a conversation", 10, MANY_MESSAGES),
    ];
    for (what, small_n, large_n) in dimensions {
        let (small, large) = if what.starts_with("conversations") {
            (
                b.practice_with_conversations("Small Clinic", small_n).await,
                b.practice_with_conversations("Large Clinic", large_n).await,
            )
        } else {
            (
                b.conversation_with_messages("Small Clinic", small_n).await,
                b.conversation_with_messages("Large Clinic", large_n).await,
            )
        };
        seeding.push(format!(
            "{large_n} {what}: {} items in {:.0} s",
            large.seeded, large.seed_seconds
        ));
        let (small_ops, large_ops) = (operations(&b, &small).await, operations(&b, &large).await);
        for ((op, s), (_, l)) in small_ops.into_iter().zip(large_ops) {
            row(
                &mut table,
                summary,
                &format!("{small_n} vs {large_n} {what}"),
                op,
                s,
                l,
            );
        }
    }
    let (two, many) = (
        b.group("Pair Clinic", 1).await,
        b.group("Group Clinic", GROUP).await,
    );
    let scale = format!("group of 2 vs {} (every reader at once)", GROUP + 1);
    let (small_post, large_post) = (
        operations(&b, &two).await[0].1,
        operations(&b, &many).await[0].1,
    );
    row(&mut table, summary, &scale, "post", small_post, large_post);
    let (small, small_hot, small_failed) = group_reads(&b, &two).await;
    let (large, large_hot, large_failed) = group_reads(&b, &many).await;
    row(&mut table, summary, &scale, "read (newest)", small, large);
    let contention = format!(
        "the most writes one item took in a round: {small_hot} of 1 read (pair), {large_hot} of {GROUP} reads (group); reads refused: {small_failed}, {large_failed}"
    );
    summary.add(
        &format!(
            "scale: read receipts in a group of {}, writes to the hottest item per round",
            GROUP + 1
        ),
        format!("{large_hot} of {GROUP} reads"),
        "not all on one item (≤ a few)",
        large_hot <= 2,
    );
    let _ = writeln!(out, "## Scale: each operation small vs large (p50 of {SAMPLES}, DynamoDB calls per call, same run)\n");
    let _ = writeln!(
        out,
        "Seeded with BatchWriteItem copies of real items: {}. Group: {contention}.\n",
        seeding.join("; ")
    );
    let _ = writeln!(out, "| scale | operation | small p50 ms | large p50 ms | large ÷ small | calls small | calls large |\n|---|---|---:|---:|---:|---:|---:|");
    out.push_str(&table);
    out.push('\n');
    out
}
