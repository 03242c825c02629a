//! SMS through Amazon SNS (direct publish to a phone number, transactional).

use crate::domain::contact_info::PhoneNumber;
use crate::ports::{SendError, Sms};
use async_trait::async_trait;
use aws_sdk_sns::types::MessageAttributeValue;

pub struct SnsSms {
    client: aws_sdk_sns::Client,
}

impl SnsSms {
    pub fn new(client: aws_sdk_sns::Client) -> Self {
        Self { client }
    }
}

#[async_trait]
impl Sms for SnsSms {
    async fn send_sms(&self, to: &PhoneNumber, text: &str) -> Result<(), SendError> {
        let transactional = MessageAttributeValue::builder()
            .data_type("String")
            .string_value("Transactional")
            .build()
            .map_err(|_| SendError::Unavailable)?;
        let result = self
            .client
            .publish()
            .phone_number(to.as_str())
            .message(text)
            .message_attributes("AWS.SNS.SMS.SMSType", transactional)
            .send()
            .await;
        match result {
            Ok(_) => Ok(()),
            Err(err) => {
                let service = err.as_service_error();
                // SNS refuses numbers that replied STOP with an InvalidParameter naming opt-out.
                let opted_out = service
                    .and_then(|e| e.meta().message())
                    .is_some_and(|m| m.to_ascii_lowercase().contains("opted out"));
                tracing::warn!(error.kind = %err_kind(&err), "sms publish failed");
                Err(if opted_out {
                    SendError::OptedOut
                } else {
                    SendError::Unavailable
                })
            }
        }
    }
}

fn err_kind<E: std::fmt::Debug, R>(err: &aws_sdk_sns::error::SdkError<E, R>) -> &'static str {
    match err {
        aws_sdk_sns::error::SdkError::ServiceError(_) => "service",
        aws_sdk_sns::error::SdkError::TimeoutError(_) => "timeout",
        aws_sdk_sns::error::SdkError::DispatchFailure(_) => "dispatch",
        _ => "other",
    }
}
