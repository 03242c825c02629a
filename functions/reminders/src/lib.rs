//! # fn-reminders: the unread-reminder sweep
//!
//! Runs every minute (an EventBridge schedule in `template.yaml`; the dev server calls
//! [`handle`] every few seconds) and sends every reminder whose time has come: one Query
//! on the due index, then each reminder claimed and sent (see
//! `canopy_shared::notifications::reminders`, which also says why a due index and not one
//! scheduler entry per reminder). A send that fails stays in the index for the next run;
//! a reminder is never sent twice, however many sweeps overlap.

use canopy_shared::notifications::reminders::{sweep, ReminderChannels};
use canopy_shared::App;

pub type Error = lambda_runtime::Error;

/// What one sweep did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Swept {
    /// Reminders sent (or deliberately skipped: opted out, no address).
    pub done: usize,
    /// Reminders whose send failed (retried by the next sweep).
    pub failed: usize,
}

pub async fn handle(app: &App) -> Result<Swept, Error> {
    let channels = ReminderChannels {
        sms: app.sms.as_ref(),
        email: app.email.as_ref(),
        app_link: &app.settings.link_base_url,
    };
    let (done, failed) = sweep(&app.store, &channels, app.now_ms()).await?;
    if done + failed > 0 {
        tracing::info!(done, failed, "unread reminder sweep");
    }
    Ok(Swept { done, failed })
}
