//! The SNS notification Lambda receives from a topic subscription, around a message body.

use aws_lambda_events::event::sns::SnsEvent;
use canopy_shared::domain::time::rfc3339;

/// An `SnsEvent` with one record carrying `message` from the topic named `topic`.
pub fn event(
    topic: &str,
    message: &serde_json::Value,
    now_ms: i64,
) -> Result<SnsEvent, serde_json::Error> {
    let arn = format!("arn:aws:sns:us-east-1:000000000000:{topic}");
    serde_json::from_value(serde_json::json!({"Records": [{
        "EventSource": "aws:sns",
        "EventVersion": "1.0",
        "EventSubscriptionArn": format!("{arn}:local"),
        "Sns": {
            "Type": "Notification",
            "MessageId": ulid::Ulid::new().to_string(),
            "TopicArn": arn,
            "Subject": null,
            "Message": message.to_string(),
            "Timestamp": rfc3339(now_ms),
            "SignatureVersion": "1",
            "Signature": "local",
            "SigningCertUrl": "https://localhost/local.pem",
            "UnsubscribeUrl": "https://localhost/unsubscribe",
            "MessageAttributes": {}
        }
    }]}))
}
