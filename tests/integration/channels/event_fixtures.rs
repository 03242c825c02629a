//! Replays `events/<event function>/*.json` through the functions in process, as
//! `sam local invoke -e` would, and compares each whole answer with `expected.json`.

use canopy_local::event_functions::{invoke, EVENT_FUNCTIONS};
use canopy_tests::Harness;
use std::collections::BTreeMap;

#[tokio::test]
async fn every_event_function_fixture_gives_its_expected_answer() {
    let h = Harness::new().await;
    let root = canopy_local::template::repo_root().join("events");
    let dirs = [
        ("stream", "StreamFunction"),
        ("delivery-status", "DeliveryStatusFunction"),
        ("inbound-sms", "InboundSmsFunction"),
        ("inbound-email", "InboundEmailFunction"),
    ];
    assert_eq!(
        dirs.len(),
        EVENT_FUNCTIONS.len(),
        "a fixture folder per event function"
    );
    let mut replayed = 0;
    for (dir, function) in dirs {
        let expected: BTreeMap<String, serde_json::Value> = serde_json::from_str(
            &std::fs::read_to_string(root.join(dir).join("expected.json")).unwrap(),
        )
        .unwrap();
        for (file, want) in expected {
            let event: serde_json::Value =
                serde_json::from_str(&std::fs::read_to_string(root.join(dir).join(&file)).unwrap())
                    .unwrap();
            let got = invoke(function, &h.app, event)
                .await
                .expect("an event function")
                .unwrap_or_else(|e| panic!("{dir}/{file}: {e}"));
            assert_eq!(got, want, "{dir}/{file}");
            replayed += 1;
        }
    }
    assert!(replayed >= 6);
}
