//! Who is calling, from a bearer token: resolved by each handler itself (there is no
//! separate authorizer Lambda), from consistent reads, so an ended session or a removed
//! teammate is refused at once and a role change applies at once. (A caller remembered
//! from an earlier read is only ever used under a proof checked in the route's own
//! transaction, see below, with the same effect.)
//!
//! A token names its account and practice ([`sessions::token`]), so the handler knows
//! which items to read before reading anything: the session (consistent `GetItem`), and
//! for staff the session, the membership and the practice's `#META` item together (one
//! consistent `BatchGetItem`, one round trip, no Query): the practice item mirrors each
//! link's `member_ids`, written in the link's own transactions, so which links'
//! conversations the caller may see is exact at once. A practice created before that
//! mirror was kept is read the old way (its links' GSI1 Query, a second round trip).
//! Nothing is released unless the session is live and names the same account and
//! practice as the token, and the membership exists. The session's sliding use is
//! recorded at most once an hour ([`sessions::accept`]), the only other round trip.
//!
//! A staff caller resolved this way is also remembered by the process with the practice's
//! access version read in the same BatchGetItem ([`super::proven_staff`]), so that the
//! few routes that prove their caller in their own write (`http::deferred`,
//! [`super::proof`]) run the next request of that token without this read: the route's
//! transaction then checks the session, the membership's role and that version, and any
//! refusal comes back here.
//!
//! Tokens of the old shape (random only) cannot name anyone, so they take the old path:
//! the session first, then the membership and links (two round trips) until they expire.

use super::proven_staff;
use super::sessions::{self, token, Session};
use crate::adapters::dynamo::StoreError;
use crate::domain::caller::Caller;
use crate::domain::ids::{AccountId, OrgId};
use crate::domain::secrets::token_hash;
use crate::ports::access::{CallerStore, SessionStore, SessionUse, StaffRecords};
use crate::ports::practice::TeamStore;
use crate::practice::model::{LinkAccess, Member};

/// The caller behind `token`, or `None` (no live session, or no longer a member).
pub async fn authorize(
    store: &(impl SessionStore + SessionUse + TeamStore + CallerStore),
    token: &str,
    now: i64,
) -> Result<Option<Caller>, StoreError> {
    match token::claims(token) {
        Some(claims) => named(store, token, claims, now).await,
        None => unnamed(store, token, now).await,
    }
}

/// A token of the current shape: every read at once.
async fn named(
    store: &(impl SessionStore + SessionUse + TeamStore + CallerStore),
    token: &str,
    claims: token::Claims,
    now: i64,
) -> Result<Option<Caller>, StoreError> {
    let hash = token_hash(token);
    let Some(org) = claims.org_id else {
        let Some(session) = store.session(&hash).await? else {
            return Ok(None);
        };
        return patient(store, session, &claims.account_id, now).await;
    };
    // Whatever this read finds replaces what the process remembered of the token.
    proven_staff::forget(&hash);
    let StaffRecords {
        session,
        member,
        links,
        access_version,
    } = store.staff_records(&hash, &org, &claims.account_id).await?;
    let Some(session) = session else {
        return Ok(None);
    };
    if session.account_id != claims.account_id || session.org_id != Some(org) {
        return Ok(None);
    }
    let Some(member) = member else {
        return Ok(None);
    };
    // Only a practice whose link access is mirrored on its `#META` item has it versioned
    // there exactly; an older one's is read from an index and never remembered.
    let (links, mirrored) = match links {
        Some(kept) => (kept, true),
        None => (store.link_access(&org).await?, false),
    };
    if sessions::accept(store, session, now).await?.is_none() {
        return Ok(None);
    }
    let caller = staff(member, &links);
    if mirrored {
        proven_staff::remember(&hash, &caller, access_version);
    }
    Ok(Some(caller))
}

/// A token of the old shape: the session says who it is, then the membership is read.
async fn unnamed(
    store: &(impl SessionStore + SessionUse + TeamStore),
    token: &str,
    now: i64,
) -> Result<Option<Caller>, StoreError> {
    let Some(session) = sessions::resolve(store, token, now).await? else {
        return Ok(None);
    };
    let Some(org) = session.org_id else {
        let account = session.account_id;
        return patient(store, session, &account, now).await;
    };
    let (member, links) = tokio::join!(
        store.member(&org, &session.account_id),
        store.link_access(&org)
    );
    let (member, links) = (member?, links?);
    Ok(member.map(|member| staff(member, &links)))
}

/// A patient's session (no practice): the caller if it is live and `account`'s.
async fn patient(
    store: &impl SessionUse,
    session: Session,
    account: &AccountId,
    now: i64,
) -> Result<Option<Caller>, StoreError> {
    if session.account_id != *account || session.org_id.is_some() {
        return Ok(None);
    }
    Ok(sessions::accept(store, session, now)
        .await?
        .map(|session| Caller {
            account_id: session.account_id,
            role: session.role,
            org_id: None,
            visible_links: vec![],
        }))
}

/// A staff caller as their membership says now, seeing the links that admit them.
fn staff(member: Member, links: &[LinkAccess]) -> Caller {
    let org: OrgId = member.org_id;
    Caller {
        visible_links: links
            .iter()
            .filter(|l| l.admits(&member.account_id))
            .map(|l| l.id)
            .collect(),
        account_id: member.account_id,
        role: member.role,
        org_id: Some(org),
    }
}
