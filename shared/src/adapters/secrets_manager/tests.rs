//! The client against a local server answering as Secrets Manager would: the signed
//! `GetSecretValue` it sends, and how each answer becomes a value or a [`SecretError`]
//! (the mapping `aws-sdk-secretsmanager` gave: not found, not a string, unavailable after
//! the retries, never naming the secret).

use super::*;
use crate::adapters::canned_server::{bare, quick_sdk_config, server, Canned, Log};

const ID: &str = "arn:aws:secretsmanager:us-east-1:1:secret:otp-pepper";

fn json(status: u16, body: serde_json::Value) -> Canned {
    Canned {
        status,
        headers: vec![("content-type", JSON_1_1.into())],
        body: body.to_string().into_bytes(),
    }
}

fn failure(status: u16, kind: &str) -> Canned {
    json(
        status,
        serde_json::json!({ "__type": kind, "message": format!("said {kind} about {ID}") }),
    )
}

async fn answering(replies: Vec<Canned>) -> (SecretsManager, Log) {
    let (url, log) = server(replies).await;
    let sdk = quick_sdk_config("eu-west-2");
    (SecretsManager::from_sdk(&sdk).with_endpoint(url), log)
}

#[tokio::test]
async fn the_value_is_read_with_one_signed_get_secret_value() {
    let answer = json(
        200,
        serde_json::json!({ "ARN": ID, "Name": "otp-pepper", "SecretString": "s3cr3t", "VersionId": "v1" }),
    );
    let (manager, log) = answering(vec![answer]).await;
    assert_eq!(manager.secret_string(ID).await.unwrap(), "s3cr3t");

    let log = log.lock().unwrap();
    assert_eq!(log.len(), 1);
    let seen = &log[0];
    assert_eq!((seen.method.as_str(), seen.target.as_str()), ("POST", "/"));
    assert_eq!(seen.header("x-amz-target"), Some(GET_SECRET_VALUE));
    assert_eq!(seen.header("content-type"), Some(JSON_1_1));
    let body: serde_json::Value = serde_json::from_slice(&seen.body).unwrap();
    assert_eq!(body, serde_json::json!({ "SecretId": ID }));
    assert_eq!(seen.header("x-amz-security-token"), Some("session"));
    let auth = seen.header("authorization").unwrap();
    assert!(
        auth.starts_with("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/")
            && auth.contains("/eu-west-2/secretsmanager/aws4_request"),
        "{auth}"
    );
    for signed in ["content-type", "host", "x-amz-date", "x-amz-target"] {
        assert!(auth.contains(signed), "{signed} is not signed: {auth}");
    }
}

#[tokio::test]
async fn a_missing_secret_is_not_found_under_either_spelling_of_its_name() {
    for kind in [
        "ResourceNotFoundException",
        "com.amazonaws.secretsmanager#ResourceNotFoundException",
    ] {
        let (manager, log) = answering(vec![failure(400, kind)]).await;
        assert_eq!(manager.secret_string(ID).await, Err(SecretError::NotFound));
        assert_eq!(log.lock().unwrap().len(), 1, "{kind}: not retried");
    }
}

#[tokio::test]
async fn a_binary_secret_is_not_a_string() {
    let answer = json(
        200,
        serde_json::json!({ "ARN": ID, "SecretBinary": "AAEC" }),
    );
    let (manager, _) = answering(vec![answer]).await;
    assert_eq!(
        manager.secret_string(ID).await,
        Err(SecretError::NotAString)
    );
}

#[tokio::test]
async fn throttling_and_5xx_are_retried_then_the_value_is_read() {
    let (manager, log) = answering(vec![
        failure(400, "ThrottlingException"),
        bare(503),
        json(200, serde_json::json!({ "SecretString": "after" })),
    ])
    .await;
    assert_eq!(manager.secret_string(ID).await.unwrap(), "after");
    assert_eq!(log.lock().unwrap().len(), 3);
}

#[tokio::test]
async fn an_outage_that_outlasts_the_retries_is_unavailable_and_never_names_the_secret() {
    let (manager, log) = answering(vec![
        failure(500, "InternalServiceError"),
        failure(500, "InternalServiceError"),
        failure(500, "InternalServiceError"),
    ])
    .await;
    let err = manager.secret_string(ID).await.unwrap_err();
    assert_eq!(err, SecretError::Unavailable("InternalServiceError".into()));
    assert!(!err.to_string().contains("otp-pepper"), "{err}");
    assert_eq!(log.lock().unwrap().len(), 3);
}

#[tokio::test]
async fn a_refusal_is_final_and_an_error_without_a_document_keeps_its_status() {
    let (manager, log) = answering(vec![failure(400, "AccessDeniedException")]).await;
    assert_eq!(
        manager.secret_string(ID).await,
        Err(SecretError::Unavailable("AccessDeniedException".into()))
    );
    assert_eq!(log.lock().unwrap().len(), 1);

    let (manager, _) = answering(vec![bare(403)]).await;
    assert_eq!(
        manager.secret_string(ID).await,
        Err(SecretError::Unavailable("HTTP 403".into()))
    );
}

#[tokio::test]
async fn nobody_listening_is_unavailable_after_the_retries() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    drop(listener);
    let (manager, _) = answering(vec![]).await;
    let manager = manager.with_endpoint(url);
    assert_eq!(
        manager.secret_string(ID).await,
        Err(SecretError::Unavailable("no answer".into()))
    );
}

#[test]
fn error_names_are_read_as_the_sdks_read_them() {
    assert_eq!(short_code("ResourceNotFoundException"), NOT_FOUND);
    assert_eq!(
        short_code("ResourceNotFoundException:http://internal.amazon.com/coral/"),
        NOT_FOUND
    );
    assert_eq!(
        short_code("aws.secretsmanager#ResourceNotFoundException"),
        NOT_FOUND
    );
    assert_eq!(error_code(b"not json"), None);
}
