//! `scripts/invoke.sh` runs an HTTP function and an event function on their event files
//! against this run's stack (`CANOPY_STACK_ENV`, exported by `scripts/test.sh`) and prints
//! their answers, as `sam local invoke -e` would.

use canopy_tests::Harness;
use serde_json::Value;

fn invoke(function: &str, event: &str) -> Value {
    let root = canopy_local::template::repo_root();
    let out = std::process::Command::new(root.join("scripts/invoke.sh"))
        .args([function, event])
        .current_dir(&root)
        .output()
        .expect("run scripts/invoke.sh");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{function}: {stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_str(stdout.trim()).unwrap_or_else(|e| panic!("{function}: {e}: {stdout}"))
}

#[tokio::test]
async fn invoke_script_runs_an_http_function_and_an_event_function() {
    let _table = Harness::new().await; // creates this run's table and sets TABLE_NAME
    assert!(
        std::env::var("CANOPY_STACK_ENV").is_ok(),
        "run through scripts/test.sh, which exports CANOPY_STACK_ENV"
    );
    let answers = tokio::task::spawn_blocking(|| {
        (
            invoke("LinkPagesFunction", "events/link-pages/click.json"),
            invoke("InboundSmsFunction", "events/inbound-sms/message.json"),
        )
    })
    .await
    .unwrap();
    assert_eq!(answers.0["statusCode"], 404, "an unknown link code");
    assert!(answers.0["body"]
        .as_str()
        .unwrap_or_default()
        .contains("Link not found"));
    assert_eq!(
        answers.1["results"],
        serde_json::json!(["unknown_practice"])
    );
}
