//! Email from a practice's reply address through SES SendEmail, with the configuration set
//! whose event destination sends Delivery / Bounce / Complaint to the delivery-status
//! topic, and message tags carrying our ids (echoed back in those events).
//! The same adapter runs against moto locally (moto records the mail in `ses.Message`).

use crate::ports::standard::{EmailSender, OutboundEmail, SendFailure};
use crate::standard::model::Address;
use async_trait::async_trait;
use aws_sdk_ses::error::ProvideErrorMetadata;
use aws_sdk_ses::types::{Body, Content, Destination, Message, MessageTag};

pub struct SesStandardEmail {
    client: aws_sdk_ses::Client,
    configuration_set: Option<String>,
}

impl SesStandardEmail {
    pub fn new(client: aws_sdk_ses::Client, configuration_set: Option<String>) -> Self {
        Self {
            client,
            configuration_set,
        }
    }
}

fn content(text: &str) -> Result<Content, SendFailure> {
    Content::builder()
        .data(text)
        .charset("UTF-8")
        .build()
        .map_err(|_| SendFailure::Refused("empty content".into()))
}

/// `"Maple Clinic" <maple@reply.example>` with the name's quotes and backslashes escaped.
fn mailbox(name: &str, address: &str) -> String {
    let escaped = name.replace('\\', "\\\\").replace('"', "\\\"");
    format!("\"{escaped}\" <{address}>")
}

#[async_trait]
impl EmailSender for SesStandardEmail {
    async fn send_email(&self, email: &OutboundEmail<'_>) -> Result<String, SendFailure> {
        let (Address::Email(from), Address::Email(to)) = (email.from, email.to) else {
            return Err(SendFailure::Refused("not an email address".into()));
        };
        let message = Message::builder()
            .subject(content(email.subject)?)
            .body(Body::builder().text(content(email.text)?).build())
            .build();
        let mut request = self
            .client
            .send_email()
            .source(mailbox(email.from_name, from.as_str()))
            .reply_to_addresses(email.reply_to)
            .destination(Destination::builder().to_addresses(to.as_str()).build())
            .message(message)
            .set_configuration_set_name(self.configuration_set.clone());
        for (name, value) in email.tags {
            let tag = MessageTag::builder()
                .name(*name)
                .value(value)
                .build()
                .map_err(|_| SendFailure::Refused("bad tag".into()))?;
            request = request.tags(tag);
        }
        match request.send().await {
            Ok(out) => Ok(out.message_id),
            Err(err) => {
                let code = err
                    .as_service_error()
                    .and_then(|e| e.code())
                    .unwrap_or_default()
                    .to_string();
                tracing::warn!(error.code = %code, "email send failed");
                Err(match code.as_str() {
                    "" | "Throttling" | "ServiceUnavailable" | "InternalFailure" => {
                        SendFailure::Unavailable
                    }
                    c if c.contains("Suppress") => SendFailure::OptedOut,
                    // An unverified or paused sender is a deployment problem that a retry
                    // after fixing it solves: keep the message queued.
                    "MessageRejected"
                    | "MailFromDomainNotVerifiedException"
                    | "AccountSendingPausedException"
                    | "ConfigurationSetDoesNotExistException" => SendFailure::Unavailable,
                    other => SendFailure::Refused(other.to_string()),
                })
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_sender_name_is_quoted() {
        assert_eq!(
            mailbox("Dr \"A\" Clinic", "a@b.c"),
            "\"Dr \\\"A\\\" Clinic\" <a@b.c>"
        );
    }
}
