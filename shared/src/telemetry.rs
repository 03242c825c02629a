//! Structured JSON logs through `tracing`. Handlers log ids, routes, statuses and timings:
//! never a code, token, message text, name, phone or email (the domain types' `Debug`
//! impls redact those, so an accidental `{:?}` does not leak them either).

/// Installs the JSON subscriber once; `RUST_LOG` filters (default `info`).
pub fn init() {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let _ = tracing_subscriber::fmt()
        .json()
        .with_env_filter(filter)
        .with_current_span(false)
        .with_span_list(false)
        .with_target(false)
        .try_init();
}
