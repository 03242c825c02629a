//! Listing the team: any staff member sees their practice's members, oldest first; nobody
//! else does. One `Query` (every page: practices have tens of staff).

use super::model::MemberView;
use crate::adapters::dynamo::StoreError;
use crate::domain::caller::{Caller, NotAllowed};
use crate::ports::practice::TeamStore;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ListMembersError {
    #[error(transparent)]
    NotAllowed(#[from] NotAllowed),
    #[error(transparent)]
    Store(#[from] StoreError),
}

pub async fn list_members(
    store: &impl TeamStore,
    caller: &Caller,
) -> Result<Vec<MemberView>, ListMembersError> {
    let org = caller.staff_org()?;
    let mut members = store.members(&org).await?;
    members.sort_by_key(|m| m.created_at);
    Ok(members.iter().map(|m| m.view()).collect())
}
