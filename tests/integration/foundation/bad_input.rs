//! Bad input always gets a clear 4xx JSON error naming the field; never a 500.

use canopy_shared::app::load_sdk_config;
use canopy_shared::App;
use canopy_tests::Harness;
use serde_json::json;
use std::collections::BTreeMap;

#[tokio::test]
async fn malformed_and_mistyped_bodies_name_the_problem() {
    let h = Harness::new().await;
    let cases = [
        ("{not json", 400, "invalid_json"),
        ("", 400, "missing_body"),
        ("[]", 400, "invalid_json"),
        (
            r#"{"practice_name": 5, "owner_name": "a", "owner_email": "a@b.co"}"#,
            400,
            "invalid_field",
        ),
        (
            r#"{"owner_name": "a", "owner_email": "a@b.co"}"#,
            400,
            "invalid_json",
        ),
        (
            r#"{"practice_name": "", "owner_name": "a", "owner_email": "a@b.co"}"#,
            400,
            "invalid_field",
        ),
        (
            r#"{"practice_name": "P", "owner_name": "a", "owner_email": "nope"}"#,
            400,
            "invalid_field",
        ),
        (
            r#"{"practice_name": "P", "owner_name": "a", "owner_email": "a@b.co", "extra": 1}"#,
            400,
            "invalid_field",
        ),
        (
            r#"{"practice_name": "P", "owner_name": "a", "owner_email": "a@b.co"} trailing"#,
            400,
            "invalid_json",
        ),
    ];
    for (body, status, code) in cases {
        let mut headers = BTreeMap::new();
        headers.insert("content-type".to_string(), "application/json".to_string());
        let r = h
            .raw(
                canopy_local::template::Api::App,
                "POST",
                "/v1/orgs",
                headers,
                body.as_bytes().to_vec(),
            )
            .await;
        assert_eq!(
            (r.status, r.error_code().as_str()),
            (status, code),
            "{body} → {}",
            r.text
        );
        assert!(!r.error_message().is_empty());
    }
    let mistyped = h
        .public()
        .create_org_with(json!({"practice_name": 5, "owner_name": "a", "owner_email": "a@b.co"}))
        .await;
    assert!(
        mistyped.error_message().starts_with("practice_name"),
        "{}",
        mistyped.text
    );
    let missing = h
        .public()
        .create_org_with(json!({"owner_name": "a", "owner_email": "a@b.co"}))
        .await;
    assert!(missing.text.contains("practice_name"), "{}", missing.text);
}

#[tokio::test]
async fn oversized_bodies_are_413() {
    let h = Harness::new().await;
    let huge =
        json!({"practice_name": "x".repeat(70_000), "owner_name": "a", "owner_email": "a@b.co"});
    let r = h.public().create_org_with(huge).await;
    assert_eq!(r.status, 413);
    assert_eq!(r.error_code(), "body_too_large");
}

#[tokio::test]
async fn malformed_ids_are_not_found_and_unknown_routes_404() {
    let (h, owner) = Harness::with_practice("Ids").await;
    for id in ["x", "acct_", "org_01KAAAAAAAAAAAAAAAAAAAAAAA", "acct_%00"] {
        let r = h.api(&owner).remove_member(id).await;
        assert_eq!(r.status, 404, "{id}: {}", r.text);
    }
    assert_eq!(
        h.call("GET", "/v1/nothing-here", None, Some(&owner.token))
            .await
            .status,
        404
    );
    let bad_challenge = h.public().auth_verify("nope", "123456").await;
    assert_eq!(bad_challenge.status, 400);
}

#[tokio::test]
async fn a_dead_database_answers_503_with_retry_after() {
    let settings = canopy_tests::settings().await;
    let sdk = load_sdk_config().await;
    let mut app = App::from_parts(&sdk, settings);
    // Nothing listens on port 9: every DynamoDB call fails to connect.
    let dead = aws_sdk_dynamodb::config::Builder::from(&sdk)
        .endpoint_url("http://127.0.0.1:9")
        .build();
    app.db = aws_sdk_dynamodb::Client::from_conf(dead);
    app.store = canopy_shared::adapters::dynamo::Dynamo::new(app.db.clone(), app.table());
    let h = Harness::with_app(app);
    let r = h.public().auth_start_email("someone@example.com").await;
    assert_eq!(r.status, 503, "{}", r.text);
    assert_eq!(r.error_code(), "service_unavailable");
    assert!(r.header("retry-after").is_some());
    // The authorizer fails closed the same way.
    let token = canopy_shared::domain::secrets::new_token();
    assert_eq!(h.api(&token).members().await.status, 503);
}
