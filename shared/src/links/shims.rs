//! The links API as other lanes called it before issue 9 (`&App` in, stored items out).
//! Kept only so that every crate compiles until the merge; new code uses the use cases
//! and [`crate::ports::links::LinkStore`]. Remove after the merge.

use crate::adapters::dynamo::links::LinkItem;
use crate::adapters::dynamo::StoreError;
use crate::app::App;
use crate::domain::ids::OrgId;
use crate::ports::links::LinkStore;

/// The link with this public code, active or not (consistent read).
pub async fn get_by_code(app: &App, code: &str) -> Result<Option<LinkItem>, StoreError> {
    let link = app.store.link_by_code(code).await?;
    Ok(link.as_ref().map(LinkItem::from))
}

/// Every link of a practice, oldest first.
pub async fn list_for_org(app: &App, org: &OrgId) -> Result<Vec<LinkItem>, StoreError> {
    let links = app.store.links_of_practice(org).await?;
    Ok(links.iter().map(LinkItem::from).collect())
}
