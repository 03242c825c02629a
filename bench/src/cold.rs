//! Cold start: each release binary exec'd against the fake Runtime API, many times; the
//! median time to its first poll (init) and to its first answered invocation (which makes
//! its first DynamoDB call against DynamoDB Local), beside the hello-world floor.

use crate::fake_runtime::FakeRuntime;
use crate::stats::median;
use std::path::Path;
use std::process::Stdio;
use std::time::Duration;

pub struct ColdResult {
    pub name: String,
    pub init_ms: f64,
    pub first_response_ms: f64,
    pub failures: usize,
}

/// Runs `binary` `runs` times with `event` as its first invocation.
pub async fn measure(
    name: &str,
    binary: &Path,
    event: &str,
    table: &str,
    runs: usize,
) -> ColdResult {
    let runtime = FakeRuntime::start(event.to_string()).await;
    let mut inits = Vec::new();
    let mut firsts = Vec::new();
    let mut failures = 0;
    for _ in 0..runs {
        runtime.arm();
        let mut child = tokio::process::Command::new(binary)
            .env("AWS_LAMBDA_RUNTIME_API", runtime.addr.to_string())
            .env("AWS_LAMBDA_FUNCTION_NAME", name)
            .env("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "256")
            .env("AWS_LAMBDA_FUNCTION_VERSION", "$LATEST")
            .env("TABLE_NAME", table)
            .env("RUST_LOG", "warn")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .kill_on_drop(true)
            .spawn()
            .expect("spawn function binary");
        let timeline = runtime.wait(Duration::from_secs(20)).await;
        let _ = child.kill().await;
        match (
            timeline.first_poll_ms,
            timeline.first_response_ms,
            &timeline.error,
        ) {
            (Some(init), Some(first), None) => {
                inits.push(init);
                firsts.push(first);
            }
            _ => failures += 1,
        }
    }
    ColdResult {
        name: name.to_string(),
        init_ms: median(&mut inits),
        first_response_ms: median(&mut firsts),
        failures,
    }
}
