//! SHIM (issue 9): see [`crate::access::audit`]; writes use `Tx::audit`.

use crate::adapters::dynamo::StoreError;
use crate::app::App;

pub use crate::access::audit::AuditEvent;
pub use crate::adapters::dynamo::access::audit_item as item;
pub use crate::adapters::dynamo::access::legacy::audit_in_transaction as in_transaction;

/// A standalone audit write (for reads).
pub async fn record(app: &App, event: &AuditEvent<'_>) -> Result<(), StoreError> {
    crate::access::audit::record(&app.store, event, app.now_ms()).await
}
