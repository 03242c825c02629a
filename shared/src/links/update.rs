//! Update a link (`PATCH /v1/links/{id}`): an owner or admin changes any of `label`,
//! `tags`, `member_ids`, `active`. The link is found on the practice's own partition (so
//! another practice's link is not found), then updated with a condition that it still
//! belongs to this practice, in one transaction with the audit item. No change, no write.
//!
//! Round trips: the link (Query on GSI1) and, when members are given, the roster (Query),
//! concurrently; then one TransactWriteItems (update + audit) unless nothing changes.

use super::rules::{self, InvalidField, UnknownMember};
use super::{staff_audit, Link, LinkChanges};
use crate::adapters::dynamo::StoreError;
use crate::domain::caller::{Caller, NotAllowed};
use crate::domain::ids::{AccountId, LinkId};
use crate::ports::links::{LinkPractice, LinkStore, LinkWriteError};

/// The request, as parsed from the body (not validated yet); `None` leaves a field alone.
#[derive(Debug, Clone, Default)]
pub struct LinkPatch {
    pub label: Option<String>,
    pub tags: Option<Vec<String>>,
    pub member_ids: Option<Vec<AccountId>>,
    pub active: Option<bool>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum UpdateLinkError {
    #[error(transparent)]
    NotAllowed(#[from] NotAllowed),
    #[error(transparent)]
    Invalid(#[from] InvalidField),
    /// A listed member is not on the practice's roster (404).
    #[error(transparent)]
    UnknownMember(#[from] UnknownMember),
    #[error("no such link in the caller's practice")]
    NotFound,
    #[error(transparent)]
    Store(#[from] StoreError),
}

pub async fn update_link<S: LinkStore + LinkPractice>(
    store: &S,
    caller: &Caller,
    id: &LinkId,
    patch: LinkPatch,
    now: i64,
    request_id: &str,
) -> Result<Link, UpdateLinkError> {
    let org = caller.managing_org()?;
    let label = patch.label.as_deref().map(rules::label).transpose()?;
    let tags = patch.tags.as_deref().map(rules::tags).transpose()?;
    let members = async {
        let Some(raw) = &patch.member_ids else {
            return Ok(None);
        };
        let members = rules::member_list(raw)?;
        if !members.is_empty() {
            rules::members_on_roster(&members, &store.roster(&org).await?)?;
        }
        Ok::<_, UpdateLinkError>(Some(members))
    };
    let (found, member_ids) = tokio::join!(store.link_of_practice(&org, id), members);
    let mut link = found?.ok_or(UpdateLinkError::NotFound)?;
    let changes = LinkChanges {
        label,
        tags,
        member_ids: member_ids?,
        active: patch.active,
    };
    if changes.is_empty() {
        return Ok(link);
    }
    let audit = staff_audit(
        caller,
        &org,
        "link.update",
        vec![id.to_string()],
        request_id,
    );
    match store.update_link(&link, &changes, &audit, now).await {
        Ok(()) => {}
        Err(LinkWriteError::Refused) => return Err(UpdateLinkError::NotFound),
        Err(LinkWriteError::Store(e)) => return Err(e.into()),
    }
    changes.apply(&mut link);
    Ok(link)
}
