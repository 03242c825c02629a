//! The contacts API as other lanes called it before issue 9 (`&App` in, stored items out).
//! Kept only so that every crate compiles until the merge; new code uses the use cases and
//! [`crate::ports::contacts::ContactStore`]. Remove after the merge.

use crate::adapters::dynamo::contacts::ContactItem;
use crate::adapters::dynamo::StoreError;
use crate::app::App;
use crate::domain::ids::{ContactId, OrgId};
use crate::ports::contacts::ContactStore;

/// A contact of this practice (another practice's contact id is simply not found).
pub async fn get(
    app: &App,
    org: &OrgId,
    contact: &ContactId,
) -> Result<Option<ContactItem>, StoreError> {
    let found = app.store.contact(org, contact).await?;
    Ok(found.as_ref().map(ContactItem::from))
}
