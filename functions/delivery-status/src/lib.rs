//! # fn-delivery-status: provider delivery events → `delivery.status`
//!
//! Two sources, both through SNS (one topic; `template.yaml`):
//! - End User Messaging SMS events of the SMS configuration set ([`sms_event`]);
//! - SES events of the email configuration set: Delivery, Bounce, Complaint ([`ses_event`]).
//!
//! Each event names its message through the ids we gave the provider when sending (SMS
//! `context`, SES message tags), so applying it is one conditional UpdateItem with no
//! lookup (`canopy_shared::standard::status`); the status only moves forward, so a
//! duplicate or late event changes nothing. A bounce or complaint also opts the address
//! out. An event we cannot read is logged without PHI and skipped; a table failure is
//! returned as an error so Lambda's asynchronous retry delivers the event again.

pub mod ses_event;
pub mod sms_event;

use aws_lambda_events::event::sns::SnsEvent;
use canopy_shared::standard::status::{apply, StatusEvent};
use canopy_shared::App;
use serde::Serialize;

pub type Error = lambda_runtime::Error;

/// What an invocation did (the function's answer; logged by Lambda, read by tests).
#[derive(Debug, Default, Clone, PartialEq, Eq, Serialize)]
pub struct Outcome {
    /// Events that moved a message's status.
    pub applied: usize,
    /// Duplicates, late events, and events about states we do not track.
    pub unchanged: usize,
    /// Events that could not be read (logged, skipped).
    pub skipped: usize,
}

/// One provider event, read from an SNS message body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Parsed {
    Status(StatusEvent),
    /// A well-formed event that changes nothing we show (SMS `TEXT_PENDING`, SES `Send`).
    Untracked,
}

/// Why an event was skipped (never PHI).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Unreadable(pub &'static str);

/// One of our ids from a provider's echo (context value or tag), if it parses.
fn id_in<T: std::str::FromStr>(value: Option<&String>) -> Option<T> {
    value.and_then(|v| v.parse().ok())
}

fn parse(body: &str, now_ms: i64) -> Result<Parsed, Unreadable> {
    let value: serde_json::Value =
        serde_json::from_str(body).map_err(|_| Unreadable("not JSON"))?;
    if value.get("mail").is_some() {
        ses_event::parse(value, now_ms)
    } else if value.get("messageStatus").is_some() || value.get("context").is_some() {
        sms_event::parse(value, now_ms)
    } else {
        Err(Unreadable("neither an SMS nor an SES event"))
    }
}

pub async fn handle(app: &App, event: SnsEvent) -> Result<Outcome, Error> {
    let mut outcome = Outcome::default();
    for record in &event.records {
        match parse(&record.sns.message, app.now_ms()) {
            Ok(Parsed::Status(status)) => {
                let applied = apply(&app.store, &status).await?;
                if applied.moved {
                    outcome.applied += 1;
                } else {
                    outcome.unchanged += 1;
                }
            }
            Ok(Parsed::Untracked) => outcome.unchanged += 1,
            Err(Unreadable(why)) => {
                tracing::warn!(sns_message_id = %record.sns.message_id, why, "skipping a delivery event");
                outcome.skipped += 1;
            }
        }
    }
    Ok(outcome)
}
