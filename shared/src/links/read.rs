//! Reading links: the practice's list (staff), the public lookup of the app's "Join …"
//! screen, the click of the link domain, and an active link for signup and the download
//! text.
//!
//! Round trips: list 1 Query (GSI1), then the click counts (one BatchGetItem per 100 counter
//! shards, concurrent); lookup 1 GetItem; click 1 GetItem ‖ 1 UpdateItem of a counter shard
//! (one round trip; the redirect does not depend on the count). Malformed codes never reach
//! the table.

use super::{Link, LinkCode};
use crate::adapters::dynamo::StoreError;
use crate::domain::caller::{Caller, NotAllowed};
use crate::domain::time::day;
use crate::ports::links::LinkStore;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ListLinksError {
    #[error(transparent)]
    NotAllowed(#[from] NotAllowed),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Every link of the caller's practice, with its counts (any staff member may see them).
pub async fn list_links(
    store: &impl LinkStore,
    caller: &Caller,
) -> Result<Vec<Link>, ListLinksError> {
    let org = caller.staff_org()?;
    Ok(store.links_of_practice(&org).await?)
}

/// Why a public lookup found nothing to show.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LookupError {
    /// Malformed, unknown and disabled codes alike.
    #[error("no such link")]
    NotFound,
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// An active link by code, without counting (the public JSON lookup, signup, the download
/// text).
pub async fn active_link(
    store: &impl LinkStore,
    code: &LinkCode,
) -> Result<Option<Link>, StoreError> {
    Ok(store
        .link_by_code(code.as_str())
        .await?
        .filter(|link| link.active))
}

/// The public lookup: the raw code from the path, parsed like a click's.
pub async fn public_link(store: &impl LinkStore, raw_code: &str) -> Result<Link, LookupError> {
    let code = LinkCode::parse(raw_code).map_err(|_| LookupError::NotFound)?;
    active_link(store, &code)
        .await?
        .ok_or(LookupError::NotFound)
}

/// A click at `now`: resolves an active link and counts it (total and today's count) on one
/// of its counter shards. Not found for malformed, unknown and disabled codes alike.
pub async fn click(store: &impl LinkStore, raw_code: &str, now: i64) -> Result<Link, LookupError> {
    let code = LinkCode::parse(raw_code).map_err(|_| LookupError::NotFound)?;
    store
        .count_click(&code, &day(now))
        .await?
        .ok_or(LookupError::NotFound)
}
