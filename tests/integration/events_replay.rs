//! Replays every event in `events/` through its function's handler in process, as
//! `sam local invoke -e` would, and checks the status `expected.json` names. The callers
//! the app API's events carry (`authorization: Bearer <token>`, a fixed token naming its
//! account and practice) are stored first from `events/callers.json`; without them every
//! such event is refused (401), which is checked too.

use canopy_shared::domain::role::Role;
use canopy_tests::Harness;
use serde::Deserialize;
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

/// The fixed token of every event fixture: `<account>.<org or ->.` and this.
const FIXTURE_SECRET: &str = "events-fixture-token-not-a-secret-anywhere0";

#[derive(Deserialize)]
struct FixtureCaller {
    account_id: String,
    org_id: Option<String>,
    role: Role,
}

/// The token events of `caller` carry.
fn fixture_token(caller: &FixtureCaller) -> String {
    let org = caller.org_id.as_deref().unwrap_or("-");
    format!("{}.{org}.{FIXTURE_SECRET}", caller.account_id)
}

fn fixture_callers(root: &Path) -> Vec<FixtureCaller> {
    serde_json::from_str(&std::fs::read_to_string(root.join("callers.json")).unwrap()).unwrap()
}

#[tokio::test]
async fn an_event_whose_token_names_another_account_is_refused() {
    let h = Harness::new().await;
    let root = canopy_local::template::repo_root().join("events");
    let stranger = FixtureCaller {
        account_id: "acct_01KDDDDDDDDDDDDDDDDDDDDDDD".into(),
        org_id: Some("org_01KAAAAAAAAAAAAAAAAAAAAAAA".into()),
        role: Role::Owner,
    };
    let text = std::fs::read_to_string(root.join("conversations/inbox.json")).unwrap();
    let owner = fixture_callers(&root)
        .iter()
        .map(fixture_token)
        .find(|token| text.contains(token))
        .expect("inbox.json carries a fixture caller's token");
    // The same secret part, another account named: the hash misses every stored session.
    let forged = text.replace(&owner, &fixture_token(&stranger));
    let file = std::env::temp_dir().join(format!("canopy-forged-{}.json", std::process::id()));
    std::fs::write(&file, forged).unwrap();
    assert_eq!(replay(&h, "ConversationsFunction", &file).await, 401);
    let _ = std::fs::remove_file(file);
}

#[tokio::test]
async fn every_event_replays_with_its_expected_status() {
    let h = Harness::new().await;
    let root = canopy_local::template::repo_root().join("events");
    for caller in fixture_callers(&root) {
        h.put_caller(&fixture_token(&caller), caller.role).await;
    }
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
