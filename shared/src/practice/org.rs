//! The practice itself: `GET /v1/org` (any staff member) and `PATCH /v1/org` (owners and
//! admins): its name, its own channels (read-only here; see [`super::channels`]) and
//! `settings.unread_reminder_minutes`, which the stream consumer and the reminder sweep
//! read from the practice's item (`notifications::reminders`).
//!
//! Round trips: show, one GetItem. Change, one TransactWriteItems (the practice's item,
//! under the condition that it exists, and the audit item), then one consistent GetItem
//! for the answer.

use super::model::Practice;
use crate::access::audit::AuditEvent;
use crate::adapters::dynamo::StoreError;
use crate::domain::caller::{Caller, NotAllowed};
use crate::domain::contact_info::DisplayName;
use crate::ports::practice::{PracticeChange, TeamStore};

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum OrgError {
    #[error(transparent)]
    NotAllowed(#[from] NotAllowed),
    /// The caller's practice is not there (deleted): answered 404.
    #[error("no such practice")]
    NotFound,
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// What a `PATCH /v1/org` asks to change; `None` leaves a field as it is.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OrgPatch {
    pub name: Option<DisplayName>,
    /// `Some(None)`: never remind; `Some(Some(m))`: after m minutes (0: at once).
    pub unread_reminder_minutes: Option<Option<u32>>,
}

pub async fn show_practice(store: &impl TeamStore, caller: &Caller) -> Result<Practice, OrgError> {
    let org = caller.staff_org()?;
    store.practice(&org).await?.ok_or(OrgError::NotFound)
}

pub async fn change_practice(
    store: &impl TeamStore,
    caller: &Caller,
    patch: OrgPatch,
    request_id: &str,
    now: i64,
) -> Result<Practice, OrgError> {
    let org = caller.managing_org()?;
    if patch == OrgPatch::default() {
        return show_practice(store, caller).await;
    }
    let audit = AuditEvent {
        actor: Some(&caller.account_id),
        role: Some(caller.role),
        org: Some(&org),
        action: "org.update",
        targets: vec![org.to_string()],
        request_id,
        outcome: "ok",
    };
    let change = PracticeChange {
        name: patch.name,
        unread_reminder_minutes: patch.unread_reminder_minutes,
    };
    if !store.change_practice(&org, &change, &audit, now).await? {
        return Err(OrgError::NotFound);
    }
    store.practice(&org).await?.ok_or(OrgError::NotFound)
}
