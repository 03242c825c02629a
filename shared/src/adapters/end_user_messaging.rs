//! SMS from a practice's own number through AWS End User Messaging SMS
//! (`pinpoint-sms-voice-v2` SendTextMessage).
//!
//! Chosen over SNS Publish(PhoneNumber) because it is the only one of the two that can
//! send from a *chosen* origination number (each practice has its own), receive two-way
//! replies (→ SNS), and report delivery per message through a configuration set with the
//! `Context` we pass echoed back (so a status event names its message without a lookup).
//! moto does not emulate it; locally [`super::sns_sms_stand_in`] stands in.

use crate::ports::standard::{OutboundSms, SendFailure, SmsSender};
use crate::standard::model::Address;
use async_trait::async_trait;
use aws_sdk_pinpointsmsvoicev2::error::{ProvideErrorMetadata, SdkError};
use aws_sdk_pinpointsmsvoicev2::types::MessageType;

pub struct EndUserMessagingSms {
    client: aws_sdk_pinpointsmsvoicev2::Client,
    /// Delivery events of this configuration set go to the delivery-status topic.
    configuration_set: Option<String>,
}

impl EndUserMessagingSms {
    pub fn new(
        client: aws_sdk_pinpointsmsvoicev2::Client,
        configuration_set: Option<String>,
    ) -> Self {
        Self {
            client,
            configuration_set,
        }
    }
}

#[async_trait]
impl SmsSender for EndUserMessagingSms {
    async fn send_sms(&self, sms: &OutboundSms<'_>) -> Result<String, SendFailure> {
        let (Address::Phone(from), Address::Phone(to)) = (sms.from, sms.to) else {
            return Err(SendFailure::Refused("not a phone number".into()));
        };
        let mut request = self
            .client
            .send_text_message()
            .origination_identity(from.as_str())
            .destination_phone_number(to.as_str())
            .message_body(sms.text)
            .message_type(MessageType::Transactional)
            .set_configuration_set_name(self.configuration_set.clone());
        for (k, v) in sms.context {
            request = request.context(*k, v);
        }
        match request.send().await {
            Ok(out) => out
                .message_id
                .ok_or_else(|| SendFailure::Refused("no message id".into())),
            Err(err) => Err(classify(&err)),
        }
    }
}

fn classify<E: ProvideErrorMetadata, R>(err: &SdkError<E, R>) -> SendFailure {
    let Some(service) = err.as_service_error() else {
        tracing::warn!("sms send failed: no answer from End User Messaging");
        return SendFailure::Unavailable;
    };
    let code = service.code().unwrap_or_default();
    let message = service.message().unwrap_or_default();
    tracing::warn!(error.code = code, "sms send refused");
    match code {
        "ThrottlingException" | "InternalServerException" | "ServiceQuotaExceededException" => {
            SendFailure::Unavailable
        }
        // ConflictException with reason DESTINATION_PHONE_NUMBER_OPTED_OUT: the carrier-level
        // opt-out list End User Messaging keeps.
        "ConflictException" if message.to_ascii_uppercase().contains("OPTED_OUT") => {
            SendFailure::OptedOut
        }
        other => SendFailure::Refused(other.to_string()),
    }
}
