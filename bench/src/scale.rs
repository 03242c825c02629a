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
use std::collections::HashMap;
use std::fmt::Write as _;
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

#[derive(Debug, Clone, Copy)]
enum Op {
    Post,
    Read,
    Inbox,
    Page,
}

const OPS: [(Op, &str); 4] = [
    (Op::Post, "post"),
    (Op::Read, "read (newest)"),
    (Op::Inbox, "inbox page"),
    (Op::Page, "messages page"),
];

/// One timed call of `op` on a scene's conversation, and the DynamoDB calls it made (a
/// read's post of the message it reads is neither timed nor counted).
async fn once(b: &ScaleBench, s: &Scene, op: Op, i: usize) -> (f64, usize) {
    let (h, staff, conv) = (&b.h, &s.staff, s.conversation.as_str());
    let tag = format!("scale-{}", ulid::Ulid::new());
    let read_id = match op {
        Op::Read => Some(h.post_id(staff, conv, "Scale read", &tag).await),
        _ => None,
    };
    h.app.db_calls.reset();
    let started = Instant::now();
    let reply = match op {
        Op::Post => {
            h.api(staff)
                .post_message(conv, &format!("Scale {i}"), &tag)
                .await
        }
        Op::Read => {
            let id = read_id.as_deref().unwrap_or_default();
            h.api(&s.patients[0]).read(conv, id).await
        }
        Op::Inbox => h.api(staff).inbox("").await,
        Op::Page => h.api(staff).messages(conv, "").await,
    };
    let took = started.elapsed().as_secs_f64() * 1000.0;
    assert!(reply.status < 300, "{} {}", reply.status, reply.text);
    (took, h.app.db_calls.count())
}

/// `op` on the small and the large scene, alternately (so drift in the machine's load
/// falls on both alike), `SAMPLES` times each.
async fn compare(b: &ScaleBench, small: &Scene, large: &Scene, op: Op) -> [Measured; 2] {
    let mut times = [Vec::new(), Vec::new()];
    let mut calls = [0, 0];
    for i in 0..SAMPLES {
        for (k, scene) in [small, large].into_iter().enumerate() {
            let (took, n) = once(b, scene, op, i).await;
            times[k].push(took);
            calls[k] = calls[k].max(n);
        }
    }
    let [mut a, mut z] = times;
    [
        Measured {
            p50: percentile(&mut a, 50.0),
            calls: calls[0],
        },
        Measured {
            p50: percentile(&mut z, 50.0),
            calls: calls[1],
        },
    ]
}

/// Every reader of the group reads the newest message at once, `SAMPLES` rounds: the p50
/// of one read in such a burst, the most writes one item took in a round, and the reads
/// refused.
async fn group_reads(b: &ScaleBench, s: &Scene) -> (f64, usize, usize) {
    let (mut times, mut hottest, mut failed) = (Vec::new(), 0, 0);
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
        hottest = hottest.max(most_writes_to_one_item(&b.recorder.take()));
    }
    (percentile(&mut times, 50.0), hottest, failed)
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
        eprintln!("scale: seeding {large_n} {what}");
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
        eprintln!(
            "scale: seeded {} items in {:.0} s",
            large.seeded, large.seed_seconds
        );
        seeding.push(format!(
            "{large_n} {what}: {} items in {:.0} s",
            large.seeded, large.seed_seconds
        ));
        for (op, name) in OPS {
            let [s, l] = compare(&b, &small, &large, op).await;
            row(
                &mut table,
                summary,
                &format!("{small_n} vs {large_n} {what}"),
                name,
                s,
                l,
            );
        }
    }
    let (two, many) = (
        b.group("Pair Clinic", 1).await,
        b.group("Group Clinic", GROUP).await,
    );
    let scale = format!("group of 2 vs {}", GROUP + 1);
    for (op, name) in OPS {
        let [s, l] = compare(&b, &two, &many, op).await;
        row(&mut table, summary, &scale, name, s, l);
    }
    let (pair_p50, pair_hot, pair_failed) = group_reads(&b, &two).await;
    let (burst_p50, hot, failed) = group_reads(&b, &many).await;
    summary.add(
        &format!("scale: {GROUP} readers of a group of {} read the newest at once: writes to the hottest item per round", GROUP + 1),
        format!("{hot} of {GROUP} reads (read p50 in the burst {burst_p50:.1} ms; {failed} refused)"),
        "not all on one item",
        hot * 2 <= GROUP,
    );
    let _ = writeln!(out, "## Scale: each operation small vs large (p50 of {SAMPLES}, alternating; DynamoDB calls per call)\n");
    let _ = writeln!(
        out,
        "Seeded with BatchWriteItem copies of real items: {}.\n",
        seeding.join("; ")
    );
    let _ = writeln!(out, "| scale | operation | small p50 ms | large p50 ms | large ÷ small | calls small | calls large |\n|---|---|---:|---:|---:|---:|---:|");
    out.push_str(&table);
    let _ = writeln!(out, "\nEvery reader at once (the newest message, {SAMPLES} rounds): pair: 1 read, p50 {pair_p50:.1} ms, hottest item {pair_hot} write(s), {pair_failed} refused; group of {}: {GROUP} reads, p50 {burst_p50:.1} ms, hottest item {hot} writes per round, {failed} refused.\n", GROUP + 1);
    out
}
