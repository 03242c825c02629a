//! Cold start: each release binary exec'd against the fake Runtime API, many times, the
//! functions taking turns; the median time to its first poll (init) and to its first
//! answered invocation (which makes its first DynamoDB call against DynamoDB Local), beside
//! the hello-world floor started in the same rounds.

use crate::fake_runtime::FakeRuntime;
use crate::stats::median;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Duration;

pub struct ColdResult {
    pub name: String,
    pub init_ms: f64,
    /// The median of this function's per-round init ÷ the floor's (see [`measure_interleaved`]).
    pub ratio_to_floor: f64,
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

/// One function under measurement: its binary, a fake Runtime API holding its first event,
/// and the starts measured so far.
pub struct Subject {
    name: String,
    binary: PathBuf,
    table: String,
    reads_pepper: bool,
    runtime: FakeRuntime,
    inits: Vec<f64>,
    firsts: Vec<f64>,
    failures: usize,
}

impl Subject {
    /// `binary` with `event` as its first invocation; `reads_pepper` as [`reads_pepper`]
    /// says for it.
    pub async fn new(
        name: &str,
        binary: &Path,
        event: &str,
        table: &str,
        reads_pepper: bool,
    ) -> Self {
        Self {
            name: name.to_string(),
            binary: binary.to_path_buf(),
            table: table.to_string(),
            reads_pepper,
            runtime: FakeRuntime::start(event.to_string()).await,
            inits: Vec::new(),
            firsts: Vec::new(),
            failures: 0,
        }
    }

    /// One cold start, to its first answered invocation; its init in ms, if it got there.
    async fn start_once(&mut self) -> Option<f64> {
        self.runtime.arm();
        let mut command = tokio::process::Command::new(&self.binary);
        if !self.reads_pepper {
            command.env_remove(PEPPER_SECRET_VAR);
        }
        let mut child = command
            .env("AWS_LAMBDA_RUNTIME_API", self.runtime.addr.to_string())
            .env("AWS_LAMBDA_FUNCTION_NAME", &self.name)
            .env("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "256")
            .env("AWS_LAMBDA_FUNCTION_VERSION", "$LATEST")
            .env("TABLE_NAME", &self.table)
            .env("RUST_LOG", "warn")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .kill_on_drop(true)
            .spawn()
            .expect("spawn function binary");
        let timeline = self.runtime.wait(Duration::from_secs(20)).await;
        let _ = child.kill().await;
        match (
            timeline.first_poll_ms,
            timeline.first_response_ms,
            &timeline.error,
        ) {
            (Some(init), Some(first), None) => {
                self.inits.push(init);
                self.firsts.push(first);
                Some(init)
            }
            _ => {
                self.failures += 1;
                None
            }
        }
    }
}

/// `runs` rounds, each starting every subject once in turn, so that a machine getting
/// slower or faster during the section moves every function alike. The first subject is
/// the floor: each result's ratio is the median of its per-round ratios to the floor's
/// start in the same round (a ratio of medians taken minutes apart moved by ±30% on a
/// shared two-core machine; hello's median alone went from 1.4 to 1.9 ms between runs).
pub async fn measure_interleaved(mut subjects: Vec<Subject>, runs: usize) -> Vec<ColdResult> {
    let mut ratios: Vec<Vec<f64>> = vec![Vec::new(); subjects.len()];
    for _ in 0..runs {
        let mut floor = None;
        for (i, subject) in subjects.iter_mut().enumerate() {
            let init = subject.start_once().await;
            if i == 0 {
                floor = init;
            }
            if let (Some(init), Some(floor)) = (init, floor) {
                ratios[i].push(init / floor);
            }
        }
    }
    subjects
        .into_iter()
        .zip(ratios)
        .map(|(mut s, mut r)| ColdResult {
            name: s.name,
            init_ms: median(&mut s.inits),
            ratio_to_floor: median(&mut r),
            first_response_ms: median(&mut s.firsts),
            failures: s.failures,
        })
        .collect()
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
