//! # fn-reminders: the minute sweep
//!
//! Runs every minute (an EventBridge schedule in `template.yaml`; the dev server calls
//! [`handle`] every few seconds) and does two things, each from a sparse due index on
//! GSI3 (one Query):
//! - sends every unread reminder whose time has come (see
//!   `canopy_shared::notifications::reminders`, which also says why a due index and not
//!   one scheduler entry per reminder). A send that fails stays in the index for the next
//!   run; a reminder is never sent twice, however many sweeps overlap;
//! - re-drives the outbound standard messages the stream consumer never sent
//!   (`canopy_shared::standard::redrive`): each is leased, then sent as the stream sends
//!   it, or failed as `expired` after a day.

use canopy_shared::notifications::reminders::{sweep, ReminderChannels};
use canopy_shared::standard::redrive::{redrive, Redriven};
use canopy_shared::standard::send::Senders;
use canopy_shared::App;

pub type Error = lambda_runtime::Error;

/// What one sweep did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Swept {
    /// Reminders sent (or deliberately skipped: opted out, no address).
    pub done: usize,
    /// Reminders whose send failed (retried by the next sweep).
    pub failed: usize,
    /// Standard messages re-driven.
    pub redriven: Redriven,
}

impl Swept {
    /// The invocation's answer (logged by Lambda; read by the dev server and the tests).
    pub fn summary(&self) -> serde_json::Value {
        serde_json::json!({
            "done": self.done,
            "failed": self.failed,
            "redriven": {
                "sent": self.redriven.sent,
                "failed": self.redriven.failed,
                "retrying": self.redriven.retrying,
            },
        })
    }
}

pub async fn handle(app: &App) -> Result<Swept, Error> {
    let channels = ReminderChannels {
        sms: app.sms.as_ref(),
        email: app.email.as_ref(),
        app_link: &app.settings.link_base_url,
    };
    let now = app.now_ms();
    let (done, failed) = sweep(&app.store, &channels, now).await?;
    if done + failed > 0 {
        tracing::info!(done, failed, "unread reminder sweep");
    }
    let senders = Senders {
        store: &app.store,
        sms: app.channels.sms.as_ref(),
        email: app.channels.email.as_ref(),
        clock: app.clock.as_ref(),
    };
    let redriven = redrive(&senders, now).await?;
    if redriven != Redriven::default() {
        tracing::warn!(
            sent = redriven.sent,
            failed = redriven.failed,
            retrying = redriven.retrying,
            "standard messages re-driven after the stream missed them"
        );
    }
    Ok(Swept {
        done,
        failed,
        redriven,
    })
}
