//! SHIM (issue 9): see [`crate::access::rate_limit`].

use crate::app::App;

pub use crate::access::rate_limit::{Budget, RateError};
pub use crate::access::window::Limit;

/// Spends one hit of every budget, or none if any is used up.
pub async fn spend(app: &App, budgets: &[Budget]) -> Result<(), RateError> {
    crate::access::rate_limit::spend(&app.store, budgets, app.now_ms()).await
}
