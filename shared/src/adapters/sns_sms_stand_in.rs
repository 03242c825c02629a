//! The local stand-in for End User Messaging SMS: SNS Publish(PhoneNumber) to moto, which
//! records each text in `/moto-api/data.json` (`sns.SMS[{message_id, phone_number,
//! message}]`). moto has no End User Messaging, and SNS cannot send from a chosen number,
//! so the practice's number is not visible there; it is kept with the context in the
//! provider echo (see [`super::provider_echo`]) so tests can check it.
//! Never configured in AWS (`SMS_SENDER_KIND` is `end-user-messaging` there).

use crate::ports::standard::{OutboundSms, SendFailure, SmsSender};
use crate::standard::model::Address;
use async_trait::async_trait;
use aws_sdk_sns::types::MessageAttributeValue;

pub struct SnsSmsStandIn {
    client: aws_sdk_sns::Client,
}

impl SnsSmsStandIn {
    pub fn new(client: aws_sdk_sns::Client) -> Self {
        Self { client }
    }
}

#[async_trait]
impl SmsSender for SnsSmsStandIn {
    async fn send_sms(&self, sms: &OutboundSms<'_>) -> Result<String, SendFailure> {
        let Address::Phone(to) = sms.to else {
            return Err(SendFailure::Refused("not a phone number".into()));
        };
        let transactional = MessageAttributeValue::builder()
            .data_type("String")
            .string_value("Transactional")
            .build()
            .map_err(|_| SendFailure::Unavailable)?;
        let out = self
            .client
            .publish()
            .phone_number(to.as_str())
            .message(sms.text)
            .message_attributes("AWS.SNS.SMS.SMSType", transactional)
            .send()
            .await
            .map_err(|_| {
                tracing::warn!("sms stand-in publish failed");
                SendFailure::Unavailable
            })?;
        out.message_id
            .ok_or_else(|| SendFailure::Refused("no message id".into()))
    }
}
