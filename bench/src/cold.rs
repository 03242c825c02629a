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

/// The variable naming the one-time-code pepper's secret: a function given it starts reading
/// Secrets Manager at cold start, in the background (`canopy_shared::access::pepper`), so
/// the read overlaps the rest of init and the first request instead of adding to them.
const PEPPER_SECRET_VAR: &str = "OTP_PEPPER_SECRET_ID";

/// Whether the template gives the function whose binary is `binary` the pepper's secret id
/// (auth and signup). The bench process has the local stack's whole environment, secret id
/// included; a function the template does not give it to must not pay for that read here,
/// as it does not in Lambda.
pub fn reads_pepper(template: &canopy_local::template::Template, binary: &str) -> bool {
    template
        .resources_of_type("AWS::Serverless::Function")
        .into_iter()
        .find(|(_, r)| {
            r.get("Metadata")
                .and_then(|m| m.get("BuildProperties"))
                .and_then(|b| b.get("Binary"))
                .and_then(|b| b.as_str())
                == Some(binary)
        })
        .and_then(|(_, r)| {
            r.get("Properties")?
                .get("Environment")?
                .get("Variables")?
                .get(PEPPER_SECRET_VAR)
                .map(|_| true)
        })
        .unwrap_or(false)
}

/// Runs `binary` `runs` times with `event` as its first invocation; `reads_pepper` as
/// [`reads_pepper`] says for it.
pub async fn measure(
    name: &str,
    binary: &Path,
    event: &str,
    table: &str,
    runs: usize,
    reads_pepper: bool,
) -> ColdResult {
    let runtime = FakeRuntime::start(event.to_string()).await;
    let mut inits = Vec::new();
    let mut firsts = Vec::new();
    let mut failures = 0;
    for _ in 0..runs {
        runtime.arm();
        let mut command = tokio::process::Command::new(binary);
        if !reads_pepper {
            command.env_remove(PEPPER_SECRET_VAR);
        }
        let mut child = command
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

#[cfg(test)]
mod tests {
    use super::reads_pepper;

    #[test]
    fn only_the_functions_the_template_gives_the_secret_id_read_the_pepper() {
        let template = canopy_local::template::load_default().expect("template.yaml");
        for name in ["auth", "signup"] {
            assert!(reads_pepper(&template, name), "{name}");
        }
        for name in [
            "hello",
            "members",
            "links",
            "link-pages",
            "contacts",
            "messages",
        ] {
            assert!(!reads_pepper(&template, name), "{name}");
        }
    }
}
