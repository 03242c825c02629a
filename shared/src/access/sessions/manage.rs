//! Sessions users can see and end (API.md § Sessions), and the sign-in rule that keeps one
//! session per device.
//!
//! - [`list`]: the caller's live sessions, newest first, the current one marked. One GSI1
//!   `Query` of the account's sessions (a page per 1 MB; an account has few).
//! - [`end`]: one session of the caller's, by its listed id: the same `Query` to find it,
//!   then one `DeleteItem` conditioned on the caller's account. Another account's id is
//!   simply not among the caller's: 404, and nothing is read or deleted outside them.
//! - [`logout`]: the caller's own session: one `DeleteItem` by the token's hash.
//! - [`end_all`]: every session of the caller's, the current one included (the store's
//!   revocation: `Query` pages, `BatchWriteItem` deletes).
//! - [`after_sign_in`]: a sign-in from a device rotates that device's token: the new
//!   session records the sign-in's `User-Agent`, and the account's other sessions with
//!   that same `User-Agent` end. One `UpdateItem`, then the `Query` and one `DeleteItem`
//!   per replaced session.
//!
//! What a "device" is: the only thing every client sends at sign-in is its `User-Agent`
//! (API.md gives `/v1/auth/verify` and `/v1/signup/verify` no device field, and a push
//! registration comes after sign-in, if ever). The apps' user agents name the app, its
//! version and the phone model and OS, and the session list shows sessions by it, so two
//! sessions with one user agent are the same device to the user too. Where two devices
//! really do send the same string, the cost is a sign-in on the other one, never an extra
//! live token. A sign-in without a `User-Agent` replaces nothing.

use super::token::looks_like_session_token;
use super::{session_id, Session};
use crate::adapters::dynamo::StoreError;
use crate::domain::ids::AccountId;
use crate::domain::secrets::token_hash;
use crate::ports::access::{SessionStore, SessionUse};

/// Longest `User-Agent` kept with a session (longer ones are cut at a character boundary).
pub const MAX_USER_AGENT: usize = 256;

#[derive(Debug, thiserror::Error)]
pub enum EndSessionError {
    /// Not one of the caller's live sessions (or not a session id at all).
    #[error("no such session")]
    NotFound,
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// A session as its owner sees it in the list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionView {
    pub id: String,
    pub created_at: i64,
    pub last_used_at: i64,
    pub user_agent: Option<String>,
    pub current: bool,
}

/// A user agent as stored: trimmed, at most [`MAX_USER_AGENT`] bytes, `None` when empty.
pub fn clean_user_agent(raw: Option<&str>) -> Option<String> {
    let ua = raw?.trim();
    if ua.is_empty() {
        return None;
    }
    let mut end = ua.len().min(MAX_USER_AGENT);
    while !ua.is_char_boundary(end) {
        end -= 1;
    }
    Some(ua[..end].to_string())
}

/// The caller's live sessions, newest first; `current_token` marks the one in use.
pub async fn list(
    store: &impl SessionUse,
    account: &AccountId,
    current_token: &str,
    now: i64,
) -> Result<Vec<SessionView>, StoreError> {
    let current = token_hash(current_token);
    let mut sessions: Vec<Session> = store
        .account_sessions(account)
        .await?
        .into_iter()
        .filter(|s| s.is_live(now))
        .collect();
    sessions.sort_by_key(|s| std::cmp::Reverse(s.created_at));
    Ok(sessions
        .into_iter()
        .map(|s| SessionView {
            id: s.id(),
            created_at: s.created_at,
            last_used_at: s.last_used_at,
            current: s.token_hash == current,
            user_agent: s.user_agent,
        })
        .collect())
}

/// Ends the caller's session listed as `id`.
pub async fn end(
    store: &impl SessionUse,
    account: &AccountId,
    id: &str,
    now: i64,
) -> Result<(), EndSessionError> {
    let wellformed = id.len() == 37
        && id
            .strip_prefix("sess_")
            .is_some_and(|h| h.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f')));
    if !wellformed {
        return Err(EndSessionError::NotFound);
    }
    let target = store
        .account_sessions(account)
        .await?
        .into_iter()
        .find(|s| s.is_live(now) && session_id(&s.token_hash) == id)
        .ok_or(EndSessionError::NotFound)?;
    if store.end_session(account, &target.token_hash).await? {
        Ok(())
    } else {
        Err(EndSessionError::NotFound)
    }
}

/// Ends the session of `token` (the caller's own; the authorizer already resolved it).
pub async fn logout(
    store: &impl SessionUse,
    account: &AccountId,
    token: &str,
) -> Result<(), StoreError> {
    if looks_like_session_token(token) {
        store.end_session(account, &token_hash(token)).await?;
    }
    Ok(())
}

/// Ends every session of the caller's; how many.
pub async fn end_all(store: &impl SessionStore, account: &AccountId) -> Result<usize, StoreError> {
    store.revoke_sessions(account).await
}

/// After a sign-in committed its session (`token`): records the sign-in's user agent on
/// it and ends the account's other sessions from that device (see the module docs). How
/// many were ended.
pub async fn after_sign_in(
    store: &impl SessionUse,
    account: &AccountId,
    token: &str,
    user_agent: Option<&str>,
) -> Result<usize, StoreError> {
    let Some(user_agent) = clean_user_agent(user_agent) else {
        return Ok(0);
    };
    let new = token_hash(token);
    store.set_user_agent(&new, &user_agent).await?;
    let mut ended = 0;
    for old in store.account_sessions(account).await? {
        if old.token_hash != new
            && old.user_agent.as_deref() == Some(user_agent.as_str())
            && store.end_session(account, &old.token_hash).await?
        {
            ended += 1;
        }
    }
    Ok(ended)
}

/// [`after_sign_in`] for a sign-in handler: the sign-in already succeeded, so a failure
/// here is logged (the old session then simply lives until it expires), never answered.
pub async fn after_sign_in_logged(
    store: &impl SessionUse,
    account: &AccountId,
    token: &str,
    user_agent: Option<&str>,
) {
    if let Err(err) = after_sign_in(store, account, token, user_agent).await {
        tracing::warn!(error = %err, "the device's previous session was not ended");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn user_agents_are_trimmed_and_bounded() {
        assert_eq!(clean_user_agent(None), None);
        assert_eq!(clean_user_agent(Some("  ")), None);
        assert_eq!(
            clean_user_agent(Some(" Canopy/2.1 (iPhone) ")).as_deref(),
            Some("Canopy/2.1 (iPhone)")
        );
        let long = "é".repeat(200);
        let kept = clean_user_agent(Some(&long)).unwrap();
        assert!(kept.len() <= MAX_USER_AGENT && kept.chars().all(|c| c == 'é'));
    }
}
