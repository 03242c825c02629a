//! # fn-inbound-email: mail to a practice's reply address
//!
//! An SES receipt rule stores each message in S3 and notifies an SNS topic (the SNS action
//! alone bounces mail over 150 KB): `{notificationType: "Received", receipt: {recipients,
//! action: {type: "S3", bucketName, objectKey}}, mail: {messageId, source}}`. This function
//! fetches the raw message, parses its MIME with `mail-parser` ([`mime`]), finds the
//! practice's address among the recipients (and the conversation's reply token after `+`),
//! and threads it (`canopy_shared::standard::inbound::receive`).
//!
//! A notification or mail we cannot read is logged without PHI and skipped; a failure of
//! S3 or the table is returned as an error so Lambda's asynchronous retry brings it again
//! (the SES message id makes the retry harmless).

pub mod mime;

use aws_lambda_events::event::sns::SnsEvent;
use canopy_shared::domain::contact_info::EmailAddress;
use canopy_shared::domain::ids::ConversationId;
use canopy_shared::standard::inbound::{receive, InboundMessage, Received};
use canopy_shared::standard::model::Address;
use canopy_shared::App;
use serde::{Deserialize, Serialize};

pub type Error = lambda_runtime::Error;

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Notification {
    notification_type: String,
    receipt: Receipt,
    mail: Mail,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Receipt {
    #[serde(default)]
    recipients: Vec<String>,
    action: Action,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Action {
    #[serde(rename = "type")]
    kind: String,
    #[serde(default)]
    bucket_name: Option<String>,
    #[serde(default)]
    object_key: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Mail {
    message_id: String,
}

#[derive(Debug, Default, Clone, PartialEq, Eq, Serialize)]
pub struct Outcome {
    pub results: Vec<String>,
}

/// `maple+01jd…@reply.example` → (`maple@reply.example`, the conversation of that token).
pub fn split_reply_token(recipient: &str) -> Option<(EmailAddress, Option<ConversationId>)> {
    let (local, domain) = recipient.trim().rsplit_once('@')?;
    let (base, token) = match local.split_once('+') {
        Some((base, token)) => (base, Some(token)),
        None => (local, None),
    };
    let address = EmailAddress::parse(&format!("{base}@{domain}")).ok()?;
    let conversation = token.and_then(|t| format!("conv_{}", t.to_ascii_uppercase()).parse().ok());
    Some((address, conversation))
}

async fn one(app: &App, body: &str) -> Result<String, Error> {
    let Ok(n) = serde_json::from_str::<Notification>(body) else {
        return Ok(skip("not an SES receipt notification"));
    };
    if n.notification_type != "Received" || n.receipt.action.kind != "S3" {
        return Ok(skip("not an S3 receipt"));
    }
    let (Some(bucket), Some(key)) = (&n.receipt.action.bucket_name, &n.receipt.action.object_key)
    else {
        return Ok(skip("receipt without an object"));
    };
    let Some(raw) = app.channels.mail.fetch(bucket, key).await? else {
        return Ok(skip("the stored mail is gone"));
    };
    let Some(mail) = mime::read(&raw) else {
        return Ok(skip("unreadable MIME"));
    };
    for recipient in &n.receipt.recipients {
        let Some((to, reply_token)) = split_reply_token(recipient) else {
            continue;
        };
        let message = InboundMessage {
            to: Address::Email(to),
            from: Address::Email(mail.from.clone()),
            text: mail.text.clone(),
            provider_id: format!("email:{}", n.mail.message_id),
            reply_token,
        };
        let received = receive(
            &app.store,
            app.channels.sms.as_ref(),
            app.clock.as_ref(),
            &message,
        )
        .await?;
        if received != Received::UnknownPractice {
            tracing::info!(outcome = received.name(), "inbound email");
            return Ok(received.name().to_string());
        }
    }
    Ok(Received::UnknownPractice.name().to_string())
}

fn skip(why: &'static str) -> String {
    tracing::warn!(why, "skipping an inbound email");
    "skipped".to_string()
}

pub async fn handle(app: &App, event: SnsEvent) -> Result<Outcome, Error> {
    let mut outcome = Outcome::default();
    for record in &event.records {
        outcome.results.push(one(app, &record.sns.message).await?);
    }
    Ok(outcome)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_reply_token_names_the_conversation() {
        let c = ConversationId::generate();
        let token = c.ulid().to_string().to_ascii_lowercase();
        let (to, conv) = split_reply_token(&format!("maple+{token}@reply.example")).unwrap();
        assert_eq!(to.as_str(), "maple@reply.example");
        assert_eq!(conv, Some(c));
        let (plain, none) = split_reply_token("maple@reply.example").unwrap();
        assert_eq!((plain.as_str(), none), ("maple@reply.example", None));
        assert_eq!(
            split_reply_token("maple+junk@reply.example").unwrap().1,
            None
        );
    }
}
