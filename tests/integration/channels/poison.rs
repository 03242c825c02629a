//! Rows 71 and 72: the event functions fed what a provider really sends now and then. A
//! redelivered inbound SMS changes nothing; a record that cannot be read is skipped, is
//! logged without any of the personal details it carries, and never stops the records
//! after it in the same invocation.

use super::{conversation_with_preview, inbox_row, meta, practice, stand_in};
use canopy_local::event_functions::invoke;
use canopy_shared::adapters::dynamo::get_n;
use canopy_tests::fixtures::{random_email, random_phone};
use canopy_tests::Harness;
use serde_json::{json, Value};

/// An SNS event from `topic` with one record per message body, as Lambda hands it over.
fn sns_event(topic: &str, messages: &[String]) -> Value {
    let records: Vec<Value> = messages
        .iter()
        .map(|message| {
            json!({
                "EventSource": "aws:sns",
                "EventVersion": "1.0",
                "EventSubscriptionArn": format!("arn:aws:sns:us-east-1:000000000000:{topic}:sub"),
                "Sns": {
                    "Type": "Notification",
                    "MessageId": ulid::Ulid::new().to_string(),
                    "TopicArn": format!("arn:aws:sns:us-east-1:000000000000:{topic}"),
                    "Subject": null,
                    "Message": message,
                    "Timestamp": "2026-11-30T00:00:05.000Z",
                    "SignatureVersion": "1",
                    "Signature": "EXAMPLE",
                    "SigningCertUrl": "https://sns.example/cert.pem",
                    "UnsubscribeUrl": "https://sns.example/unsubscribe",
                    "MessageAttributes": {}
                }
            })
        })
        .collect();
    json!({ "Records": records })
}

/// An End User Messaging inbound SMS notification.
fn inbound_sms(from: &str, to: &str, body: &str, id: &str) -> String {
    json!({
        "originationNumber": from, "destinationNumber": to,
        "messageKeyword": "KEYWORD_000000000000", "messageBody": body,
        "inboundMessageId": id, "previousPublishedMessageId": null
    })
    .to_string()
}

async fn run(h: &Harness, function: &str, event: Value) -> Value {
    invoke(function, &h.app, event)
        .await
        .expect("an event function")
        .unwrap_or_else(|e| panic!("{function} failed: {e}"))
}

#[tokio::test]
async fn a_redelivered_inbound_sms_changes_nothing() {
    let h = Harness::new().await;
    let p = practice(&h, "Redelivery Clinic").await;
    let patient = random_phone();
    let id = ulid::Ulid::new().to_string();
    let text = inbound_sms(&patient, p.number.as_str(), "Can I move my visit?", &id);
    let event = sns_event("canopy-inbound-sms", std::slice::from_ref(&text));
    let first = run(&h, "InboundSmsFunction", event.clone()).await;
    assert_eq!(first["results"], json!(["opened"]));
    let conversation = conversation_with_preview(&h, &p, "Can I move my visit?").await;
    let before = meta(&h, &conversation).await;
    // SNS delivers at least once: the same event again, and twice within one invocation.
    let again = run(&h, "InboundSmsFunction", event).await;
    assert_eq!(again["results"], json!(["duplicate"]));
    let twice = sns_event("canopy-inbound-sms", &[text.clone(), text]);
    let twice = run(&h, "InboundSmsFunction", twice).await;
    assert_eq!(twice["results"], json!(["duplicate", "duplicate"]));
    assert_eq!(
        meta(&h, &conversation).await,
        before,
        "the conversation is untouched"
    );
    assert_eq!(get_n(&before, "message_count"), Some(1));
    let row = inbox_row(&h, &p, &conversation).await.expect("listed");
    assert_eq!(row["unread_count"], 1);
}

/// What a poison record may carry that must never reach a log.
const SECRET_TEXT: &str = "Zebulon Quartermaine SSN 123-45-6789 insulin dose";

/// Asserts that the skip was logged (`line`) and nothing of `details` by anyone so far.
fn logged_without(line: &str, details: &[&str]) {
    let logs = canopy_tests::logs::captured();
    assert!(logs.contains(line), "the skip was logged as {line:?}");
    for detail in details {
        assert!(!logs.contains(detail), "{detail:?} reached the logs");
    }
}

#[tokio::test]
async fn unreadable_inbound_sms_are_skipped_without_phi_and_the_rest_go_through() {
    canopy_tests::logs::install();
    let h = Harness::new().await;
    let p = practice(&h, "Poison Sms Clinic").await;
    let (sender, patient) = (random_phone(), random_phone());
    let batch = sns_event(
        "canopy-inbound-sms",
        &[
            // A body with PHI but a destination that is no number.
            inbound_sms(&sender, "not-a-number", SECRET_TEXT, "p-1"),
            // Not an inbound SMS at all, and not even JSON.
            format!("{{{SECRET_TEXT} {sender}"),
            inbound_sms(&patient, p.number.as_str(), "After the poison", "ok-1"),
        ],
    );
    let out = run(&h, "InboundSmsFunction", batch).await;
    assert_eq!(out["results"], json!(["skipped", "skipped", "opened"]));
    conversation_with_preview(&h, &p, "After the poison").await;
    logged_without(
        "skipping an inbound SMS",
        &[SECRET_TEXT, "123-45-6789", &sender],
    );
}

#[tokio::test]
async fn unreadable_inbound_email_notifications_are_skipped_without_phi_and_block_nothing() {
    canopy_tests::logs::install();
    let h = Harness::new().await;
    let p = practice(&h, "Poison Mail Clinic").await;
    let sender = random_email("zebulon");
    let receipt = |kind: &str, key: Option<&str>| {
        json!({
            "notificationType": kind,
            "mail": {"timestamp": "2026-11-30T00:00:07.000Z", "source": sender,
                     "messageId": ulid::Ulid::new().to_string(), "destination": [p.reply.as_str()],
                     "commonHeaders": {"from": [format!("Zebulon Quartermaine <{sender}>")],
                                       "subject": SECRET_TEXT}},
            "receipt": {"recipients": [p.reply.as_str()],
                        "action": {"type": "S3", "bucketName": "canopy-inbound-mail",
                                   "objectKey": key}}
        })
        .to_string()
    };
    let batch = sns_event(
        "canopy-inbound-email",
        &[
            format!("{{\"mail\": \"{SECRET_TEXT} {sender}"),
            receipt("Bounce", Some("inbound/x")),
            receipt("Received", None),
            receipt(
                "Received",
                Some(&format!("inbound/gone-{}", ulid::Ulid::new())),
            ),
        ],
    );
    let out = run(&h, "InboundEmailFunction", batch).await;
    assert_eq!(
        out["results"],
        json!(["skipped", "skipped", "skipped", "skipped"])
    );
    logged_without(
        "skipping an inbound email",
        &[SECRET_TEXT, "123-45-6789", &sender],
    );
    // The next mail from that sender goes through as usual.
    let mail = json!({"from": format!("Zebulon Q <{sender}>"), "to": p.reply.as_str(),
                      "subject": "Hello", "text": "Real mail"});
    let reply = stand_in(&h, "/_local/email/inbound", mail).await;
    assert_eq!(
        reply.json()["result"]["results"],
        json!(["opened"]),
        "{}",
        reply.text
    );
}

#[tokio::test]
async fn unreadable_delivery_events_are_skipped_without_phi_and_the_rest_are_read() {
    canopy_tests::logs::install();
    let h = Harness::new().await;
    let number = random_phone();
    let unknown_message = json!({
        "eventType": "TEXT_DELIVERED", "isFinal": true, "messageStatus": "DELIVERED",
        "originationPhoneNumber": "+12065550100", "destinationPhoneNumber": number,
        "messageId": "gone-sms", "eventTimestamp": 1795996805000i64,
        "context": {"org_id": "org_01JD2Q0K4V8X9Y7Z6W5T4S3R2Q",
                    "conversation_id": "conv_01JD2Q0K5V8X9Y7Z6W5T4S3R2Q",
                    "message_id": "msg_01JD2Q0K5W8X9Y7Z6W5T4S3R2Q"}
    })
    .to_string();
    let batch = sns_event(
        "canopy-delivery-status",
        &[
            format!("not json: {SECRET_TEXT} {number}"),
            json!({"note": SECRET_TEXT, "to": number}).to_string(),
            unknown_message,
        ],
    );
    let out = run(&h, "DeliveryStatusFunction", batch).await;
    assert_eq!(out["skipped"], 2, "{out}");
    assert_eq!(
        out["applied"].as_u64().unwrap() + out["unchanged"].as_u64().unwrap(),
        1,
        "{out}"
    );
    logged_without("skipping a delivery event", &[SECRET_TEXT, "123-45-6789"]);
}
