//! Bad input always gets a clear 4xx JSON error naming the field; never a 500.

use canopy_shared::app::load_sdk_config;
use canopy_shared::App;
use canopy_tests::Harness;
use serde_json::{json, Value};
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
    let table = app.table().to_string();
    app.store = canopy_shared::adapters::dynamo::Dynamo::new(
        aws_sdk_dynamodb::Client::from_conf(dead),
        table,
    );
    let h = Harness::with_app(app);
    let r = h.public().auth_start_email("someone@example.com").await;
    assert_eq!(r.status, 503, "{}", r.text);
    assert_eq!(r.error_code(), "service_unavailable");
    assert!(r.header("retry-after").is_some());
    // Authenticating a caller fails closed the same way.
    let token = canopy_shared::domain::secrets::new_token();
    assert_eq!(h.api(&token).members().await.status, 503);
}

/// `(status, message)` of a 4xx answer, for compact assertions.
fn refusal(r: &canopy_tests::Reply) -> (u16, String) {
    (r.status, r.error_message())
}

#[tokio::test]
async fn an_explicit_null_where_the_contract_says_string_is_400_naming_it_and_changes_nothing() {
    let (h, owner) = Harness::with_practice("Nulls").await;
    let patient = h.new_patient(&owner, "Nora Null").await;
    let link = h.new_link(&owner, &["intake"]).await;
    let link_id = link.id.to_string();
    let api = || h.api(&owner);
    let must_not = "must not be null (leave the field out instead)";

    // Creates refuse it and create nothing.
    let links_before = api().links().await.items().len();
    let r = api()
        .create_link(json!({"label": "Front desk", "code": null}))
        .await;
    assert_eq!(
        refusal(&r),
        (400, format!("code: {must_not}")),
        "{}",
        r.text
    );
    let r = api()
        .create_link(json!({"label": "Front desk", "tags": ["ok", null]}))
        .await;
    assert_eq!(r.status, 400, "{}", r.text);
    assert!(r.error_message().starts_with("tags[1]: "), "{}", r.text);
    assert_eq!(api().links().await.items().len(), links_before);

    let secure = json!({"kind": "secure", "participant_ids": [patient.contact_id]});
    for field in ["link_id", "contact_id", "channel"] {
        let mut body = secure.clone();
        body[field] = Value::Null;
        let r = api().create_conversation(body).await;
        assert_eq!(r.status, 400, "{field}: {}", r.text);
        assert_eq!(r.error_code(), "invalid_field");
        assert_eq!(r.error_message(), format!("{field}: {must_not}"));
    }
    assert!(
        api().inbox("").await.items().is_empty(),
        "nothing was created"
    );

    // Patches refuse it and change nothing.
    for field in ["label", "tags", "member_ids", "active"] {
        let r = api().patch_link(&link_id, json!({ field: null })).await;
        assert_eq!(
            refusal(&r),
            (400, format!("{field}: {must_not}")),
            "{}",
            r.text
        );
    }
    let listed = h.listed_link(&owner, &link_id).await.unwrap();
    assert_eq!(listed["label"], "Front desk");
    assert_eq!(listed["tags"], json!(["intake"]));
    assert_eq!(listed["active"], true);

    let conv = h
        .new_conversation(&owner, &[&patient.contact_id], None)
        .await;
    for field in ["read_only", "tags"] {
        let r = api()
            .patch_conversation(&conv, json!({ field: null }))
            .await;
        assert_eq!(
            refusal(&r),
            (400, format!("{field}: {must_not}")),
            "{}",
            r.text
        );
    }
    let shown = api().conversation(&conv).await.json();
    assert_eq!(
        (shown["read_only"].clone(), shown["subject"].clone()),
        (json!(false), json!("Follow-up"))
    );

    // Public routes, before any code is sent.
    let r = h.public().auth_start(json!({"email": null})).await;
    assert_eq!(refusal(&r), (400, format!("email: {must_not}")));
    let r = h
        .public()
        .signup_start(json!({"name": "Pat", "phone": "+12025550123", "link_code": null}))
        .await;
    assert_eq!(refusal(&r), (400, format!("link_code: {must_not}")));
}

#[tokio::test]
async fn null_is_still_taken_where_the_contract_declares_it_nullable() {
    let (h, owner) = Harness::with_practice("Nullable").await;
    let patient = h.new_patient(&owner, "Nell Nullable").await;
    let api = || h.api(&owner);
    // `subject` is nullable: null means none.
    let r = api()
        .create_conversation(
            json!({"kind": "secure", "participant_ids": [patient.contact_id], "subject": null}),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.text);
    assert_eq!(r.json()["subject"], Value::Null);
    let conv = h
        .new_conversation(&owner, &[&patient.contact_id], None)
        .await;
    let r = api()
        .patch_conversation(&conv, json!({"subject": null}))
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.json()["subject"], Value::Null, "null clears the subject");
    // A contact's phone and email are nullable (null = none), one of them given.
    let r = api()
        .create_contact(json!({"name": "Ida Null", "phone": "+12025550187", "email": null}))
        .await;
    assert_eq!(r.status, 201, "{}", r.text);
    assert_eq!(r.json()["email"], Value::Null);
}

#[tokio::test]
async fn a_well_formed_id_that_names_nothing_the_caller_sees_is_404_and_a_malformed_one_400() {
    use canopy_shared::domain::ids::{AccountId, ContactId, LinkId};
    let (h, owner) = Harness::with_practice("References").await;
    let patient = h.new_patient(&owner, "Rene Ref").await;
    let other = h.new_practice("Elsewhere").await;
    let stranger = h.new_patient(&other, "Sam Stranger").await;
    let other_link = h.new_link(&other, &[]).await.id.to_string();
    let api = || h.api(&owner);
    let unknown_contact = ContactId::generate().to_string();
    let unknown_account = AccountId::generate().to_string();

    let secure = |ids: Vec<&str>| json!({"kind": "secure", "participant_ids": ids});
    let cases = [
        (
            secure(vec![&patient.contact_id, &unknown_contact]),
            "participant_ids[1]: no such contact",
        ),
        (
            secure(vec![&stranger.contact_id]),
            "participant_ids[0]: no such contact",
        ),
        (
            secure(vec![&unknown_account]),
            "participant_ids[0]: no such teammate",
        ),
        (
            secure(vec![&other.account_id]),
            "participant_ids[0]: no such teammate",
        ),
        (
            json!({"kind": "secure", "participant_ids": [patient.contact_id], "link_id": LinkId::generate().to_string()}),
            "link_id: no such link",
        ),
        (
            json!({"kind": "secure", "participant_ids": [patient.contact_id], "link_id": other_link}),
            "link_id: no such link",
        ),
        (
            json!({"kind": "standard", "contact_id": unknown_contact, "channel": "sms"}),
            "contact_id: no such contact",
        ),
        (
            json!({"kind": "standard", "contact_id": stranger.contact_id, "channel": "sms"}),
            "contact_id: no such contact",
        ),
    ];
    for (body, message) in cases {
        let r = api().create_conversation(body.clone()).await;
        assert_eq!(
            (r.status, r.error_code().as_str()),
            (404, "not_found"),
            "{body}: {}",
            r.text
        );
        assert_eq!(r.error_message(), message);
    }
    for malformed in ["ct_nope", "acct_01", "link_01KAAAAAAAAAAAAAAAAAAAAAAA"] {
        let r = api().create_conversation(secure(vec![malformed])).await;
        assert_eq!(r.status, 400, "{malformed}: {}", r.text);
        assert!(
            r.error_message().starts_with("participant_ids[0]"),
            "{}",
            r.text
        );
    }
    assert!(
        api().inbox("").await.items().is_empty(),
        "nothing was created"
    );

    // Link members: another practice's teammate or an unknown account is 404; malformed 400.
    let link = h.new_link(&owner, &[]).await.id.to_string();
    let links_before = api().links().await.items().len();
    for id in [&other.account_id, &unknown_account] {
        let r = api()
            .create_link(json!({"label": "Nurses", "member_ids": [owner.account_id, id]}))
            .await;
        assert_eq!(
            refusal(&r),
            (
                404,
                format!("member_ids: {id} is not a member of this practice")
            )
        );
        let r = api().patch_link(&link, json!({"member_ids": [id]})).await;
        assert_eq!(
            refusal(&r),
            (
                404,
                format!("member_ids: {id} is not a member of this practice")
            )
        );
    }
    let r = api()
        .create_link(json!({"label": "Nurses", "member_ids": ["acct_x"]}))
        .await;
    assert_eq!(r.status, 400, "{}", r.text);
    assert!(r.error_message().starts_with("member_ids[0]"), "{}", r.text);
    let r = api()
        .patch_link(&link, json!({"member_ids": [patient.account_id, "ct_x"]}))
        .await;
    assert_eq!(r.status, 400, "{}", r.text);
    assert_eq!(api().links().await.items().len(), links_before);
    assert_eq!(
        h.listed_link(&owner, &link).await.unwrap()["member_ids"],
        json!([])
    );
}
