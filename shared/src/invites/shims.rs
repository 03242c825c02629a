//! The invites API as the tests called it before issue 9 (`&App` in). Kept only so that
//! every crate compiles until the merge; new code uses the use cases and
//! [`crate::ports::invites::InviteStore`]. Remove after the merge.

use crate::adapters::dynamo::invites::InviteItem;
use crate::adapters::dynamo::StoreError;
use crate::app::App;
use crate::domain::ids::{InviteId, OrgId};
use crate::ports::invites::InviteStore;

/// The invite record of a practice (consistent read).
pub async fn get(
    app: &App,
    org: &OrgId,
    invite: &InviteId,
) -> Result<Option<InviteItem>, StoreError> {
    let found = app.store.invite(org, invite).await?;
    Ok(found.as_ref().map(InviteItem::from))
}
