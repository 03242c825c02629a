//! Structured JSON logs through `tracing`. Handlers log ids, routes, statuses and timings:
//! never a code, token, message text, name, phone or email (the domain types' `Debug`
//! impls redact those, so an accidental `{:?}` does not leak them either).
//!
//! The AWS SDK and hyper log whole request and response bodies at `trace` (and some at
//! `debug`): those bodies are table items full of PHI. So their targets are capped at
//! `info` whatever `RUST_LOG` says globally; only naming such a target explicitly
//! (`RUST_LOG=aws_smithy_runtime=trace`) lifts the cap, for a deliberate local debugging
//! session.
//!
//! The filter is `tracing_subscriber`'s `Targets` (`target=level` directives), not
//! `EnvFilter`: the latter compiles regexes for its directive syntax at every cold start and
//! links the `regex` engine into every function (together ~0.6 MB and ~0.5 ms of init).
//! `RUST_LOG` keeps its usual `info` / `warn,canopy_shared=debug` form; span and field
//! filters (`[span{field=…}]`) are not supported.

use tracing_subscriber::filter::{LevelFilter, Targets};
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;

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
pub fn filter_from(spec: &str) -> Targets {
    let explicit = |target: &str| spec.split(',').any(|d| d.trim().starts_with(target));
    // `Targets` takes almost any text as a target name, so a spec with characters no
    // `target=level` list has (spaces, brackets, braces) is refused here: it falls back to
    // `info` instead of silently logging nothing.
    let well_formed = spec
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | ':' | ',' | '=' | '-'));
    let filter = well_formed
        .then(|| spec.parse::<Targets>().ok())
        .flatten()
        .unwrap_or_else(|| Targets::new().with_default(LevelFilter::INFO));
    BODY_LOGGING_TARGETS
        .iter()
        .filter(|target| !explicit(target))
        .fold(filter, |filter, target| {
            filter.with_target(*target, LevelFilter::INFO)
        })
}

/// Installs the JSON subscriber once; `RUST_LOG` filters (default `info`).
pub fn init() {
    let spec = std::env::var("RUST_LOG").unwrap_or_else(|_| "info".to_string());
    let _ = tracing_subscriber::fmt()
        .json()
        .with_current_span(false)
        .with_span_list(false)
        .with_target(false)
        .finish()
        .with(filter_from(&spec))
        .try_init();
}

#[cfg(test)]
mod tests {
    use super::*;
    use tracing::Level;

    #[test]
    fn body_logging_targets_are_capped_at_info_unless_named() {
        let filter = filter_from("trace");
        assert!(filter.would_enable("canopy_shared::links", &Level::TRACE));
        assert!(!filter.would_enable("aws_smithy_runtime::client", &Level::DEBUG));
        assert!(!filter.would_enable("hyper_util", &Level::TRACE));
        assert!(filter.would_enable("hyper", &Level::INFO));
        let named = filter_from("info,aws_smithy_runtime=trace");
        assert!(named.would_enable("aws_smithy_runtime", &Level::TRACE));
        assert!(!named.would_enable("canopy_shared", &Level::DEBUG));
        // A spec that does not parse falls back to info.
        let bad = filter_from("not a [valid] spec{");
        assert!(bad.would_enable("canopy_shared", &Level::INFO));
        assert!(!bad.would_enable("canopy_shared", &Level::DEBUG));
    }
}
