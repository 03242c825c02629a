//! `POST /v1/devices` and `DELETE /v1/devices/{id}`: validation, one device per token.

use super::{endpoint_of, random_token, Notify};
use serde_json::json;

#[tokio::test]
async fn the_same_token_is_the_same_device_and_its_endpoint_knows_only_the_account() {
    let n = Notify::new().await;
    let (staff, patient, _) = n.practice_with_patient("Elm Clinic").await;
    let token = random_token("ios");
    let register = |who: String| {
        let body = json!({"platform": "ios", "token": token});
        let h = &n.h;
        async move { h.call("POST", "/v1/devices", Some(body), Some(&who)).await }
    };
    let first = register(patient.token.clone()).await;
    let again = register(patient.token.clone()).await;
    assert_eq!(first.status, 201, "{}", first.text);
    assert_eq!(again.status, 201);
    assert_eq!(first.json()["id"], again.json()["id"]);
    assert_eq!(first.json()["platform"], "ios");
    assert!(first.json()["id"].as_str().unwrap().starts_with("dev_"));
    let endpoint = endpoint_of(&token).unwrap();

    // The phone changes hands: the token moves to the new account, the old device goes.
    let moved = register(staff.token.clone()).await;
    assert_eq!(moved.status, 201);
    assert_ne!(moved.json()["id"], first.json()["id"]);
    assert_eq!(endpoint_of(&token).unwrap(), endpoint);
    let old = first.json()["id"].as_str().unwrap().to_string();
    let gone =
        n.h.call(
            "DELETE",
            &format!("/v1/devices/{old}"),
            None,
            Some(&patient.token),
        )
        .await;
    assert_eq!(gone.status, 404, "{}", gone.text);
}

/// A token whose SNS endpoint outlived its device (removed while SNS kept the endpoint, or a
/// record lost): SNS refuses a second endpoint for the token and names the first, which
/// becomes the caller's. Before, the refusal was a 503 for that phone forever.
#[tokio::test]
async fn a_token_whose_endpoint_outlived_its_device_registers_as_the_callers() {
    let n = Notify::new().await;
    let (_, patient, _) = n.practice_with_patient("Oak Clinic").await;
    let token = random_token("android");
    let sns = aws_sdk_sns::Client::from_conf(
        aws_sdk_sns::config::Builder::from(&canopy_shared::app::load_sdk_config().await)
            .endpoint_url(std::env::var("AWS_ENDPOINT_URL_SNS").unwrap())
            .build(),
    );
    let left_behind = sns
        .create_platform_endpoint()
        .platform_application_arn(std::env::var("PUSH_ANDROID_APPLICATION_ARN").unwrap())
        .token(&token)
        .custom_user_data("acct_01KAAAAAAAAAAAAAAAAAAAAAAA")
        .send()
        .await
        .unwrap()
        .endpoint_arn
        .unwrap();
    let reply =
        n.h.call(
            "POST",
            "/v1/devices",
            Some(json!({"platform": "android", "token": token})),
            Some(&patient.token),
        )
        .await;
    assert_eq!(reply.status, 201, "{}", reply.text);
    assert_eq!(endpoint_of(&token).unwrap(), left_behind);
    let attributes = sns
        .get_endpoint_attributes()
        .endpoint_arn(&left_behind)
        .send()
        .await
        .unwrap()
        .attributes
        .unwrap();
    assert_eq!(attributes["CustomUserData"], patient.account_id);
    assert_eq!(attributes["Enabled"], "true");
}

#[tokio::test]
async fn bad_platforms_and_tokens_are_400() {
    let n = Notify::new().await;
    let (_, patient, _) = n.practice_with_patient("Fir Clinic").await;
    for (body, field) in [
        (json!({"platform": "windows", "token": "abc"}), "platform"),
        (
            json!({"platform": "ios", "token": "ab".repeat(101)}),
            "token",
        ),
        (json!({"platform": "ios", "token": "not hex"}), "token"),
        (
            json!({"platform": "android", "token": "a".repeat(4_097)}),
            "token",
        ),
        (json!({"platform": "android", "token": ""}), "token"),
    ] {
        let reply =
            n.h.call("POST", "/v1/devices", Some(body), Some(&patient.token))
                .await;
        assert_eq!(reply.status, 400, "{}", reply.text);
        assert!(reply.text.contains(field), "{}", reply.text);
    }
    let anonymous =
        n.h.call(
            "POST",
            "/v1/devices",
            Some(json!({"platform": "ios", "token": "ab"})),
            None,
        )
        .await;
    assert_eq!(anonymous.status, 401);
}

#[tokio::test]
async fn a_device_is_removed_only_by_its_owner() {
    let n = Notify::new().await;
    let (staff, patient, _) = n.practice_with_patient("Gum Clinic").await;
    let (device, _) = n.device(&patient.token, "android").await;
    let path = format!("/v1/devices/{device}");
    let other = n.h.call("DELETE", &path, None, Some(&staff.token)).await;
    assert_eq!(other.status, 404);
    let mine = n.h.call("DELETE", &path, None, Some(&patient.token)).await;
    assert_eq!(mine.status, 204, "{}", mine.text);
    let again = n.h.call("DELETE", &path, None, Some(&patient.token)).await;
    assert_eq!(again.status, 404);
}
