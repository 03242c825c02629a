//! Who is calling, from a bearer token: the authorizer's use case.
//!
//! For every call it resolves the token to a live session, and for staff re-reads their
//! membership (so a removed teammate is refused at once, and a role change applies at
//! once) and the practice's links (so handlers know which links' conversations the caller
//! may see without another round trip).
//!
//! Round trips: one consistent `GetItem` (session; plus an `UpdateItem` recording its use
//! at most once an hour, see [`super::sessions`]); for staff, then one `GetItem`
//! (membership) and one GSI1 `Query` (links), concurrently.

use super::sessions;
use crate::adapters::dynamo::StoreError;
use crate::domain::caller::Caller;
use crate::ports::access::{SessionStore, SessionUse};
use crate::ports::practice::TeamStore;

/// The caller behind `token`, or `None` (no live session, or no longer a member).
pub async fn authorize(
    store: &(impl SessionStore + SessionUse + TeamStore),
    token: &str,
    now: i64,
) -> Result<Option<Caller>, StoreError> {
    let Some(session) = sessions::resolve(store, token, now).await? else {
        return Ok(None);
    };
    let Some(org) = session.org_id else {
        return Ok(Some(Caller {
            account_id: session.account_id,
            role: session.role,
            org_id: None,
            visible_links: vec![],
        }));
    };
    let (member, links) = tokio::join!(
        store.member(&org, &session.account_id),
        store.link_access(&org)
    );
    let Some(member) = member? else {
        return Ok(None);
    };
    let visible_links = links?
        .iter()
        .filter(|l| l.admits(&member.account_id))
        .map(|l| l.id)
        .collect();
    Ok(Some(Caller {
        account_id: member.account_id,
        role: member.role,
        org_id: Some(org),
        visible_links,
    }))
}
