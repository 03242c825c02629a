//! Email through Amazon SES (plain-text body).

use crate::domain::contact_info::EmailAddress;
use crate::ports::{Email, SendError};
use async_trait::async_trait;
use aws_sdk_ses::types::{Body, Content, Destination, Message};

pub struct SesEmail {
    client: aws_sdk_ses::Client,
    sender: String,
}

impl SesEmail {
    pub fn new(client: aws_sdk_ses::Client, sender: String) -> Self {
        Self { client, sender }
    }
}

fn content(text: &str) -> Result<Content, SendError> {
    Content::builder()
        .data(text)
        .charset("UTF-8")
        .build()
        .map_err(|_| SendError::Unavailable)
}

#[async_trait]
impl Email for SesEmail {
    async fn send_email(
        &self,
        to: &EmailAddress,
        subject: &str,
        body: &str,
    ) -> Result<(), SendError> {
        let message = Message::builder()
            .subject(content(subject)?)
            .body(Body::builder().text(content(body)?).build())
            .build();
        let result = self
            .client
            .send_email()
            .source(&self.sender)
            .destination(Destination::builder().to_addresses(to.as_str()).build())
            .message(message)
            .send()
            .await;
        match result {
            Ok(_) => Ok(()),
            Err(err) => {
                let suppressed = err
                    .as_service_error()
                    .and_then(|e| e.meta().code())
                    .is_some_and(|c| {
                        c.contains("Suppress") || c == "AccountSendingPausedException"
                    });
                tracing::warn!("email send failed");
                Err(if suppressed {
                    SendError::OptedOut
                } else {
                    SendError::Unavailable
                })
            }
        }
    }
}
