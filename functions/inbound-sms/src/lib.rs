//! # fn-inbound-sms: two-way SMS to a practice's number
//!
//! AWS End User Messaging SMS publishes each text sent to a practice's number to an SNS
//! topic (`template.yaml`: `InboundSmsTopic`) as
//! `{originationNumber, destinationNumber, messageKeyword, messageBody, inboundMessageId,
//! previousPublishedMessageId}`. This function reads it and hands it to
//! `canopy_shared::standard::inbound::receive`: keywords (STOP / START / HELP), else the
//! practice's conversation with that number. A message that cannot be read is logged
//! without PHI and skipped; a failure of the table or of the HELP reply is returned as an
//! error, so Lambda's asynchronous retry delivers it again (the provider id makes the
//! retry harmless).

use aws_lambda_events::event::sns::SnsEvent;
use canopy_shared::domain::contact_info::PhoneNumber;
use canopy_shared::standard::inbound::{receive, InboundMessage};
use canopy_shared::standard::model::Address;
use canopy_shared::App;
use serde::{Deserialize, Serialize};

pub type Error = lambda_runtime::Error;

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct InboundSms {
    origination_number: String,
    destination_number: String,
    #[serde(default)]
    message_body: String,
    inbound_message_id: String,
}

/// What each message in the invocation became (the function's answer).
#[derive(Debug, Default, Clone, PartialEq, Eq, Serialize)]
pub struct Outcome {
    pub results: Vec<String>,
}

/// Reads one End User Messaging inbound notification.
pub fn parse(body: &str) -> Result<InboundMessage, &'static str> {
    let sms: InboundSms = serde_json::from_str(body).map_err(|_| "not an inbound SMS")?;
    let phone = |n: &str| PhoneNumber::parse(n).map(Address::Phone);
    Ok(InboundMessage {
        to: phone(&sms.destination_number).map_err(|_| "bad destination number")?,
        from: phone(&sms.origination_number).map_err(|_| "bad origination number")?,
        text: sms.message_body,
        provider_id: format!("sms:{}", sms.inbound_message_id),
        reply_token: None,
    })
}

pub async fn handle(app: &App, event: SnsEvent) -> Result<Outcome, Error> {
    let mut outcome = Outcome::default();
    for record in &event.records {
        let message = match parse(&record.sns.message) {
            Ok(m) => m,
            Err(why) => {
                tracing::warn!(sns_message_id = %record.sns.message_id, why, "skipping an inbound SMS");
                outcome.results.push("skipped".into());
                continue;
            }
        };
        let received = receive(
            &app.store,
            app.channels.sms.as_ref(),
            app.clock.as_ref(),
            &message,
        )
        .await?;
        tracing::info!(outcome = received.name(), "inbound SMS");
        outcome.results.push(received.name().to_string());
    }
    Ok(outcome)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_end_user_messaging_payload() {
        let m = parse(
            r#"{"originationNumber":"+12025550142","destinationNumber":"+12065550100",
            "messageKeyword":"KEYWORD_123","messageBody":"Running late","inboundMessageId":"in-1",
            "previousPublishedMessageId":"out-9"}"#,
        )
        .unwrap();
        assert_eq!(m.from.key(), "+12025550142");
        assert_eq!(m.to.key(), "+12065550100");
        assert_eq!(m.text, "Running late");
        assert_eq!(m.provider_id, "sms:in-1");
    }

    #[test]
    fn other_payloads_are_unreadable() {
        assert!(parse("{}").is_err());
        assert!(parse(
            r#"{"originationNumber":"x","destinationNumber":"+12065550100","inboundMessageId":"1"}"#
        )
        .is_err());
    }
}
