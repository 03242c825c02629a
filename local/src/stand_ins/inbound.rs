//! `/_local/sms/inbound` and `/_local/email/inbound`.

use super::{answer, sns, Refusal};
use canopy_shared::App;
use serde::Deserialize;
use tokio::sync::OnceCell;

/// Where the SES receipt rule's S3 action puts inbound mail (moto locally).
fn bucket() -> String {
    std::env::var("INBOUND_MAIL_BUCKET").unwrap_or_else(|_| "canopy-inbound-mail".into())
}

#[derive(Deserialize)]
pub struct SmsBody {
    from: String,
    to: String,
    body: String,
}

pub async fn sms(app: &App, b: SmsBody) -> Result<serde_json::Value, Refusal> {
    let id = ulid::Ulid::new().to_string();
    let message = serde_json::json!({
        "originationNumber": b.from,
        "destinationNumber": b.to,
        "messageKeyword": "KEYWORD_000000000000",
        "messageBody": b.body,
        "inboundMessageId": id,
        "previousPublishedMessageId": null,
    });
    let event = sns::event("canopy-inbound-sms", &message, app.now_ms())
        .map_err(|e| Refusal(500, "bad_event", e.to_string()))?;
    answer(fn_inbound_sms::handle(app, event).await)
}

#[derive(Deserialize)]
pub struct EmailBody {
    from: String,
    to: String,
    #[serde(default)]
    subject: String,
    text: String,
}

static S3: OnceCell<aws_sdk_s3::Client> = OnceCell::const_new();

async fn s3() -> &'static aws_sdk_s3::Client {
    S3.get_or_init(|| async {
        let sdk = canopy_shared::app::load_sdk_config().await;
        let mut config = aws_sdk_s3::config::Builder::from(&sdk).force_path_style(true);
        if let Ok(url) = std::env::var("AWS_ENDPOINT_URL_S3") {
            config = config.endpoint_url(url);
        }
        aws_sdk_s3::Client::from_conf(config.build())
    })
    .await
}

/// A plain-text MIME message as a mail client would send it.
fn mime(b: &EmailBody, message_id: &str) -> String {
    format!(
        "From: {}\r\nTo: {}\r\nSubject: {}\r\nMessage-ID: <{message_id}@local>\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n{}\r\n",
        b.from,
        b.to,
        b.subject.replace(['\r', '\n'], " "),
        b.text
    )
}

pub async fn email(app: &App, b: EmailBody) -> Result<serde_json::Value, Refusal> {
    let message_id = ulid::Ulid::new().to_string().to_ascii_lowercase();
    let key = format!("inbound/{message_id}");
    let bucket = bucket();
    let s3 = s3().await;
    // Creating an existing bucket of ours is a no-op in us-east-1; any real failure
    // shows up in the PutObject below.
    let _ = s3.create_bucket().bucket(&bucket).send().await;
    s3.put_object()
        .bucket(&bucket)
        .key(&key)
        .body(mime(&b, &message_id).into_bytes().into())
        .send()
        .await
        .map_err(|e| Refusal(503, "s3_unavailable", format!("{e:?}")))?;
    let message = serde_json::json!({
        "notificationType": "Received",
        "mail": {
            "timestamp": canopy_shared::domain::time::rfc3339(app.now_ms()),
            "source": b.from,
            "messageId": message_id,
            "destination": [b.to],
            "headersTruncated": false,
            "commonHeaders": {"from": [b.from], "to": [b.to], "subject": b.subject}
        },
        "receipt": {
            "timestamp": canopy_shared::domain::time::rfc3339(app.now_ms()),
            "recipients": [b.to],
            "spamVerdict": {"status": "PASS"},
            "virusVerdict": {"status": "PASS"},
            "spfVerdict": {"status": "PASS"},
            "dkimVerdict": {"status": "PASS"},
            "dmarcVerdict": {"status": "PASS"},
            "action": {
                "type": "S3",
                "topicArn": "arn:aws:sns:us-east-1:000000000000:canopy-inbound-email",
                "bucketName": bucket,
                "objectKey": key
            }
        }
    });
    let event = sns::event("canopy-inbound-email", &message, app.now_ms())
        .map_err(|e| Refusal(500, "bad_event", e.to_string()))?;
    answer(fn_inbound_email::handle(app, event).await)
}
