//! Removing a teammate: an owner or admin removes them, and their access ends at once (the
//! authorizer re-reads membership on every call, and their sessions are deleted). Only
//! owners may remove owners, and the last owner can never be removed (the practice's owner
//! count is decremented, only while above one, in the same transaction).
//!
//! Round trips: one consistent `GetItem` (the member), one `TransactWriteItems` (member,
//! their login or invitation, the owner count for an owner, the audit item), then the
//! session revocation (a GSI1 `Query` and `BatchWriteItem`s).

use crate::access::audit::AuditEvent;
use crate::adapters::dynamo::StoreError;
use crate::domain::caller::{Caller, NotAllowed};
use crate::domain::ids::AccountId;
use crate::domain::role::Role;
use crate::ports::access::SessionStore;
use crate::ports::practice::{RemoveMemberRefused, TeamStore};

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RemoveMemberError {
    #[error(transparent)]
    NotAllowed(#[from] NotAllowed),
    #[error("no such member")]
    NotFound,
    #[error("only an owner may remove another owner")]
    OwnersOnly,
    #[error("the practice's last owner cannot be removed")]
    LastOwner,
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl From<RemoveMemberRefused> for RemoveMemberError {
    fn from(refused: RemoveMemberRefused) -> Self {
        match refused {
            RemoveMemberRefused::Gone => RemoveMemberError::NotFound,
            RemoveMemberRefused::LastOwner => RemoveMemberError::LastOwner,
            RemoveMemberRefused::Store(e) => RemoveMemberError::Store(e),
        }
    }
}

pub async fn remove_member(
    store: &(impl TeamStore + SessionStore),
    caller: &Caller,
    target: &AccountId,
    request_id: &str,
    now: i64,
) -> Result<(), RemoveMemberError> {
    let org = caller.managing_org()?;
    let member = store
        .member(&org, target)
        .await?
        .ok_or(RemoveMemberError::NotFound)?;
    if member.role == Role::Owner && caller.role != Role::Owner {
        return Err(RemoveMemberError::OwnersOnly);
    }
    let audit = AuditEvent {
        actor: Some(&caller.account_id),
        role: Some(caller.role),
        org: Some(&org),
        action: "member.remove",
        targets: vec![target.to_string()],
        request_id,
        outcome: "ok",
    };
    store.remove_member(&member, &audit, now).await?;
    // Membership is already gone (the authorizer refuses them); deleting the sessions is
    // hygiene, so a failure here is logged, not surfaced.
    if let Err(err) = store.revoke_sessions(target).await {
        tracing::warn!(error = %err, "member removed but their sessions were not all deleted");
    }
    Ok(())
}
