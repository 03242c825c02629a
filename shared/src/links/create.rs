//! Create a link (`POST /v1/links`): an owner or admin makes a link with the practice's own
//! code (validated, not reserved; taken → [`CreateLinkError::CodeTaken`]) or six random
//! digits. Uniqueness is the put's `attribute_not_exists` condition, never a scan: an
//! allocated code that collides is simply drawn again.
//!
//! Round trips: the practice's name (GetItem) and, when members are listed, its roster
//! (Query), concurrently; then one TransactWriteItems (link + audit) per code drawn.

use super::rules::{self, InvalidField, UnknownMember};
use super::{staff_audit, Link, LinkCode, NewLink};
use crate::adapters::dynamo::StoreError;
use crate::domain::caller::{Caller, NotAllowed};
use crate::domain::ids::AccountId;
use crate::ports::links::{LinkPractice, LinkStore, LinkWriteError};

/// Allocated codes drawn before giving up (each collision has odds of about
/// links/1,000,000, so five in a row means something else is wrong).
pub const ALLOCATION_ATTEMPTS: usize = 5;

/// The request, as parsed from the body (not validated yet).
#[derive(Debug, Clone, Default)]
pub struct CreateLink {
    pub label: String,
    pub code: Option<String>,
    pub tags: Vec<String>,
    pub member_ids: Vec<AccountId>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CreateLinkError {
    #[error(transparent)]
    NotAllowed(#[from] NotAllowed),
    #[error(transparent)]
    Invalid(#[from] InvalidField),
    /// A listed member is not on the practice's roster (404).
    #[error(transparent)]
    UnknownMember(#[from] UnknownMember),
    #[error("the caller's practice does not exist")]
    NoPractice,
    #[error("a link already uses this code")]
    CodeTaken,
    #[error("no free link code after {ALLOCATION_ATTEMPTS} attempts")]
    NoFreeCode,
    #[error(transparent)]
    Store(#[from] StoreError),
}

pub async fn create_link<S: LinkStore + LinkPractice>(
    store: &S,
    caller: &Caller,
    request: CreateLink,
    now: i64,
    request_id: &str,
) -> Result<Link, CreateLinkError> {
    let org = caller.managing_org()?;
    let label = rules::label(&request.label)?;
    let tags = rules::tags(&request.tags)?;
    let custom = match &request.code {
        Some(raw) => Some(LinkCode::parse_custom(raw).map_err(|e| InvalidField::new("code", e))?),
        None => None,
    };
    let member_ids = rules::member_list(&request.member_ids)?;
    let roster = async {
        if member_ids.is_empty() {
            Ok(Vec::new())
        } else {
            store.roster(&org).await
        }
    };
    let (practice_name, roster) = tokio::join!(store.practice_name(&org), roster);
    let practice_name = practice_name?.ok_or(CreateLinkError::NoPractice)?;
    rules::members_on_roster(&member_ids, &roster?)?;
    for _ in 0..ALLOCATION_ATTEMPTS {
        let link = Link::new(
            NewLink {
                org_id: org,
                practice_name: practice_name.clone(),
                code: custom.clone().unwrap_or_else(LinkCode::allocate),
                label: label.clone(),
                tags: tags.clone(),
                member_ids: member_ids.clone(),
            },
            now,
        );
        let audit = staff_audit(
            caller,
            &org,
            "link.create",
            vec![link.id.to_string()],
            request_id,
        );
        match store.insert_link(&link, &audit, now).await {
            Ok(()) => return Ok(link),
            Err(LinkWriteError::Refused) if custom.is_some() => {
                return Err(CreateLinkError::CodeTaken)
            }
            Err(LinkWriteError::Refused) => continue,
            Err(LinkWriteError::Store(e)) => return Err(e.into()),
        }
    }
    tracing::error!("no free link code after {ALLOCATION_ATTEMPTS} attempts");
    Err(CreateLinkError::NoFreeCode)
}
