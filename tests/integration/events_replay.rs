//! Replays every event in `events/` through its function's handler in process, as
//! `sam local invoke -e` would, and checks the status `expected.json` names.

use canopy_tests::Harness;
use std::collections::BTreeMap;
use std::path::Path;

/// `events/<dir>` → the function's logical id in `template.yaml`.
fn function_for(dir: &str) -> String {
    let camel: String = dir
        .split('-')
        .map(|part| {
            let mut chars = part.chars();
            chars
                .next()
                .map(|c| c.to_ascii_uppercase().to_string() + chars.as_str())
                .unwrap_or_default()
        })
        .collect();
    format!("{camel}Function")
}

#[tokio::test]
async fn every_event_replays_with_its_expected_status() {
    let h = Harness::new().await;
    let root = canopy_local::template::repo_root().join("events");
    let mut replayed = 0;
    let mut dirs: Vec<_> = std::fs::read_dir(&root)
        .unwrap()
        .flatten()
        .filter(|e| e.path().is_dir())
        .collect();
    dirs.sort_by_key(|e| e.path());
    for dir in dirs {
        let name = dir.file_name().to_string_lossy().to_string();
        // Event functions' fixtures are replayed by `channels::event_fixtures`.
        if canopy_local::event_functions::EVENT_FUNCTIONS.contains(&function_for(&name).as_str()) {
            continue;
        }
        let expected: BTreeMap<String, u16> = serde_json::from_str(
            &std::fs::read_to_string(dir.path().join("expected.json")).unwrap(),
        )
        .unwrap();
        let mut files: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap()
            .flatten()
            .map(|e| e.path())
            .collect();
        files.sort();
        for file in files {
            let file_name = file.file_name().unwrap().to_string_lossy().to_string();
            if file_name == "expected.json"
                || file.extension().and_then(|e| e.to_str()) != Some("json")
            {
                continue;
            }
            let want = *expected
                .get(&file_name)
                .unwrap_or_else(|| panic!("{name}/{file_name} has no entry in expected.json"));
            let status = replay(&h, &function_for(&name), &file).await;
            assert_eq!(status, want, "{name}/{file_name}");
            replayed += 1;
        }
    }
    assert!(replayed >= 6, "only {replayed} events replayed");
}

async fn replay(h: &Harness, function: &str, file: &Path) -> u16 {
    let text = std::fs::read_to_string(file).unwrap();
    if function == "UploadCheckFunction" {
        // An S3 notification, not an HTTP request: 200 when handled, 500 when retried.
        return canopy_local::uploads::replay(&h.app, &text).await;
    }
    let request =
        lambda_http::request::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
    let response = canopy_local::functions::invoke(function, &h.app, request)
        .await
        .unwrap_or_else(|| panic!("no function {function}"));
    response.status().as_u16()
}
