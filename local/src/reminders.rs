//! The dev server's stand-in for EventBridge's schedule of `RemindersFunction`: runs the
//! same sweep (`fn_reminders::handle`) in process. Every [`LOCAL_INTERVAL`] instead of the
//! template's minute, so a developer trying `unread_reminder_minutes: 1` sees the text
//! within seconds of it falling due.

use canopy_shared::App;
use std::sync::Arc;
use std::time::Duration;

pub const LOCAL_INTERVAL: Duration = Duration::from_secs(5);

pub async fn run(app: Arc<App>) {
    loop {
        tokio::time::sleep(LOCAL_INTERVAL).await;
        if let Err(e) = fn_reminders::handle(&app).await {
            tracing::warn!(error = %e, "local reminder sweep failed");
        }
    }
}
