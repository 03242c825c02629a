//! SECURITY.md: "set a monthly SMS spend limit". CloudFormation has no resource for it, so
//! the template's `SmsSpendLimit` custom resource runs `functions/sms-spend-limit` at every
//! deploy. Proven here: the template wires it to a parameter and lets the function do
//! nothing else; the real adapter sets SNS's limit in moto and End User Messaging's on a
//! recorded endpoint (moto has none); CloudFormation gets SUCCESS, or FAILED with the
//! reason when the limit is bad or refused (the deploy then stops instead of running
//! without a limit); a Delete leaves the limit in place; and the dev server's start plays
//! the resource as a deploy would.

use aws_sdk_sns::Client as Sns;
use canopy_local::custom_resources;
use canopy_local::template::load_default;
use fn_sms_spend_limit::limits::AwsSpendLimits;
use fn_sms_spend_limit::reply::HttpsReplier;
use serde_json::{json, Value};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;
use tokio::task::JoinHandle;

/// A one-request HTTP server answering `status` with a JSON `body`; its URL, and the
/// request it got (head, body).
async fn serve_once(status: u16, body: &'static str) -> (String, JoinHandle<(String, Value)>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let task = tokio::spawn(async move {
        let (mut socket, _) = listener.accept().await.unwrap();
        let mut raw = Vec::new();
        let mut buf = [0u8; 4096];
        let (head, length) = loop {
            let n = socket.read(&mut buf).await.unwrap();
            raw.extend_from_slice(&buf[..n]);
            let text = String::from_utf8_lossy(&raw).to_string();
            if let Some(end) = text.find("\r\n\r\n") {
                let head = text[..end].to_ascii_lowercase();
                let length = head
                    .lines()
                    .find_map(|l| l.strip_prefix("content-length:"))
                    .map_or(0, |v| v.trim().parse::<usize>().unwrap());
                break (head, (end + 4, length));
            }
        };
        while raw.len() < length.0 + length.1 {
            let n = socket.read(&mut buf).await.unwrap();
            raw.extend_from_slice(&buf[..n]);
        }
        let answer = format!(
            "HTTP/1.1 {status} X\r\ncontent-type: application/x-amz-json-1.0\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
            body.len()
        );
        socket.write_all(answer.as_bytes()).await.unwrap();
        let sent = &raw[length.0..length.0 + length.1];
        (head, serde_json::from_slice(sent).unwrap_or(Value::Null))
    });
    (url, task)
}

fn request(kind: &str, limit: &str, response_url: &str) -> Value {
    json!({
        "RequestType": kind,
        "RequestId": format!("req-{kind}"),
        "ResponseURL": format!("{response_url}/response?X-Amz-Signature=abc"),
        "StackId": "arn:aws:cloudformation:us-east-1:123456789012:stack/canopy-test/1",
        "ResourceType": "Custom::SmsSpendLimit",
        "LogicalResourceId": "SmsSpendLimit",
        "PhysicalResourceId": fn_sms_spend_limit::PHYSICAL_ID,
        "ResourceProperties": {"ServiceToken": "arn:fn", "MonthlySpendLimitUsd": limit},
        "OldResourceProperties": {"ServiceToken": "arn:fn", "MonthlySpendLimitUsd": "100"},
    })
}

async fn moto_sns() -> Sns {
    let sdk = canopy_shared::app::load_sdk_config().await;
    let url = canopy_shared::app::endpoint_override("SNS").expect("the local stack's SNS");
    Sns::from_conf(
        aws_sdk_sns::config::Builder::from(&sdk)
            .endpoint_url(url)
            .build(),
    )
}

async fn sms_attribute(sns: &Sns, name: &str) -> Option<String> {
    let got = sns.get_sms_attributes().send().await.unwrap();
    got.attributes().and_then(|a| a.get(name)).cloned()
}

/// Runs the handler on `event` with the real adapters and HTTPS replier; answers the reply
/// CloudFormation received (method line and JSON).
async fn run(
    limits: &AwsSpendLimits,
    event: Value,
    reply: JoinHandle<(String, Value)>,
) -> (String, Value) {
    let event = serde_json::from_value(event).unwrap();
    fn_sms_spend_limit::handle(limits, &HttpsReplier::new(), event)
        .await
        .expect("a reply was delivered");
    reply.await.unwrap()
}

#[test]
fn the_template_sets_the_limit_from_a_parameter_and_the_function_may_do_nothing_else() {
    let t = load_default().unwrap();
    let resource = t
        .resource("SmsSpendLimit")
        .expect("the SmsSpendLimit resource");
    assert_eq!(resource["Type"], "Custom::SmsSpendLimit");
    let props = &resource["Properties"];
    let limit = t.property_value(&props["MonthlySpendLimitUsd"]).unwrap();
    assert!(limit.parse::<u32>().is_ok_and(|usd| usd >= 1), "{limit}");
    let token = format!("{:?}", props["ServiceToken"]);
    assert!(token.contains("SmsSpendLimitFunction.Arn"), "{token}");

    let function = t.resource("SmsSpendLimitFunction").unwrap();
    let mut granted = Vec::new();
    for policy in function["Properties"]["Policies"].as_sequence().unwrap() {
        for statement in policy["Statement"].as_sequence().unwrap() {
            let effect = statement["Effect"].as_str().unwrap();
            let actions = match &statement["Action"] {
                serde_yaml::Value::Sequence(list) => list.clone(),
                one => vec![one.clone()],
            };
            for action in actions {
                granted.push(format!("{effect} {}", action.as_str().unwrap()));
            }
        }
    }
    granted.sort();
    assert_eq!(
        granted,
        [
            "Allow kms:Decrypt",
            "Allow sms-voice:SetTextMessageSpendLimitOverride",
            "Allow sns:SetSMSAttributes",
            // Every function's deny: audit items are append-only.
            "Deny dynamodb:BatchWriteItem",
            "Deny dynamodb:DeleteItem",
            "Deny dynamodb:UpdateItem",
        ]
    );
}

#[tokio::test]
async fn a_deploy_sets_the_sns_limit_a_bad_one_fails_and_a_delete_keeps_it() {
    canopy_tests::require_stack();
    let sns = moto_sns().await;
    // The dev server's start plays the resource with the template's default.
    let t = load_default().unwrap();
    let replies = custom_resources::deploy(&t).await.unwrap();
    assert_eq!(replies.len(), 1);
    assert_eq!(replies[0]["Status"], "SUCCESS", "{}", replies[0]);
    let default = t
        .property_value(&t.resource("SmsSpendLimit").unwrap()["Properties"]["MonthlySpendLimitUsd"])
        .unwrap();
    assert_eq!(
        sms_attribute(&sns, "MonthlySpendLimit").await,
        Some(default)
    );

    // A deploy with 250: set, transactional by default, SUCCESS to CloudFormation.
    let limits = AwsSpendLimits::new(sns.clone(), None);
    let (url, reply) = serve_once(200, "").await;
    let (head, body) = run(&limits, request("Update", "250", &url), reply).await;
    assert!(
        head.starts_with("put /response?x-amz-signature=abc"),
        "{head}"
    );
    assert_eq!(body["Status"], "SUCCESS", "{body}");
    assert_eq!(body["RequestId"], "req-Update");
    assert_eq!(body["LogicalResourceId"], "SmsSpendLimit");
    assert_eq!(body["PhysicalResourceId"], fn_sms_spend_limit::PHYSICAL_ID);
    assert_eq!(body["Data"]["MonthlySpendLimitUsd"], 250);
    assert_eq!(
        sms_attribute(&sns, "MonthlySpendLimit").await.as_deref(),
        Some("250")
    );
    assert_eq!(
        sms_attribute(&sns, "DefaultSMSType").await.as_deref(),
        Some("Transactional")
    );

    // A bad limit: FAILED with the reason, and the limit in force is untouched.
    let (url, reply) = serve_once(200, "").await;
    let (_, body) = run(&limits, request("Update", "0", &url), reply).await;
    assert_eq!(body["Status"], "FAILED", "{body}");
    assert!(
        body["Reason"]
            .as_str()
            .unwrap()
            .contains("MonthlySpendLimitUsd"),
        "{body}"
    );
    assert_eq!(
        sms_attribute(&sns, "MonthlySpendLimit").await.as_deref(),
        Some("250")
    );

    // Deleting the stack keeps the account's limit.
    let (url, reply) = serve_once(200, "").await;
    let (_, body) = run(&limits, request("Delete", "250", &url), reply).await;
    assert_eq!(body["Status"], "SUCCESS", "{body}");
    assert_eq!(
        sms_attribute(&sns, "MonthlySpendLimit").await.as_deref(),
        Some("250")
    );
}

#[tokio::test]
async fn end_user_messaging_gets_the_same_limit_and_its_refusal_fails_the_deploy() {
    canopy_tests::require_stack();
    let sdk = canopy_shared::app::load_sdk_config().await;
    let eum_at = |url: &str| {
        let config = aws_sdk_pinpointsmsvoicev2::config::Builder::from(&sdk).endpoint_url(url);
        aws_sdk_pinpointsmsvoicev2::Client::from_conf(config.build())
    };

    let (eum_url, eum) = serve_once(200, r#"{"MonthlyLimit":300}"#).await;
    let limits = AwsSpendLimits::new(moto_sns().await, Some(eum_at(&eum_url)));
    let (url, reply) = serve_once(200, "").await;
    let (_, body) = run(&limits, request("Create", "300", &url), reply).await;
    assert_eq!(body["Status"], "SUCCESS", "{body}");
    assert_eq!(
        body["Data"]["Channels"],
        json!(["sns", "end_user_messaging_sms"])
    );
    let (head, sent) = eum.await.unwrap();
    assert!(
        head.contains("x-amz-target: pinpointsmsvoicev2.settextmessagespendlimitoverride"),
        "{head}"
    );
    assert_eq!(sent, json!({"MonthlyLimit": 300}));

    let refusal = r#"{"__type":"AccessDeniedException","message":"not allowed"}"#;
    let (eum_url, _) = serve_once(400, refusal).await;
    let limits = AwsSpendLimits::new(moto_sns().await, Some(eum_at(&eum_url)));
    let (url, reply) = serve_once(200, "").await;
    let (_, body) = run(&limits, request("Create", "300", &url), reply).await;
    assert_eq!(body["Status"], "FAILED", "{body}");
    let reason = body["Reason"].as_str().unwrap();
    assert!(
        reason.contains("End User Messaging SMS") && reason.contains("AccessDeniedException"),
        "{reason}"
    );
}
