//! Structured JSON logs through `tracing`. Handlers log ids, routes, statuses and timings:
//! never a code, token, message text, name, phone or email (the domain types' `Debug`
//! impls redact those, so an accidental `{:?}` does not leak them either).
//!
//! The AWS SDK and hyper log whole request and response bodies at `trace` (and some at
//! `debug`): those bodies are table items full of PHI. So their targets are capped at
//! `info` whatever `RUST_LOG` says globally; only naming such a target explicitly
//! (`RUST_LOG=aws_smithy_runtime=trace`) lifts the cap, for a deliberate local debugging
//! session.

use tracing_subscriber::EnvFilter;

/// Crates whose debug/trace output may contain request or response bodies.
const BODY_LOGGING_TARGETS: &[&str] = &[
    "aws_smithy_runtime",
    "aws_smithy_runtime_api",
    "aws_smithy_http_client",
    "aws_smithy_types",
    "aws_runtime",
    "aws_config",
    "aws_sdk_dynamodb",
    "aws_sdk_sns",
    "aws_sdk_ses",
    "hyper",
    "hyper_util",
    "h2",
    "rustls",
    "lambda_runtime",
    "lambda_http",
];

/// The filter for a `RUST_LOG`-style spec, with the body-logging targets capped at `info`.
pub fn filter_from(spec: &str) -> EnvFilter {
    let explicit = |target: &str| spec.split(',').any(|d| d.trim().starts_with(target));
    let mut filter = EnvFilter::try_new(spec).unwrap_or_else(|_| EnvFilter::new("info"));
    for target in BODY_LOGGING_TARGETS {
        if !explicit(target) {
            if let Ok(directive) = format!("{target}=info").parse() {
                filter = filter.add_directive(directive);
            }
        }
    }
    filter
}

/// Installs the JSON subscriber once; `RUST_LOG` filters (default `info`).
pub fn init() {
    let spec = std::env::var("RUST_LOG").unwrap_or_else(|_| "info".to_string());
    let _ = tracing_subscriber::fmt()
        .json()
        .with_env_filter(filter_from(&spec))
        .with_current_span(false)
        .with_span_list(false)
        .with_target(false)
        .try_init();
}
