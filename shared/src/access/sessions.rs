//! Bearer sessions: 256-bit random tokens, of which only the SHA-256 is stored; they expire
//! (checked on every use, not left to TTL) and are revoked by deleting them. Users list
//! them, end one, sign out, or sign out everywhere ([`manage`]).
//!
//! - A session is created inside the transaction of the sign-in that made it (the store's
//!   `put_session`), so it exists only if that sign-in committed.
//! - Staff sessions end a working day after sign-in, used or not. A patient's lasts 30
//!   days from its last use: each use slides it ([`resolve`] records the use at most once
//!   per [`TOUCH_EVERY_MS`], so an hour's requests cost one write, not one each).
//! - A session is shown by an id derived from its token's hash ([`session_id`]): the id
//!   names it to its owner but cannot be turned back into the token or its hash, so it is
//!   useless as a bearer.
//!
//! Round trips: resolving is one consistent `GetItem`, plus one conditional `UpdateItem`
//! when the last recorded use is over an hour old (a session deleted meanwhile fails the
//! condition and is refused).

pub mod manage;
pub mod token;

use crate::adapters::dynamo::StoreError;
use crate::domain::ids::{AccountId, OrgId};
use crate::domain::role::Role;
use crate::domain::secrets::token_hash;
use crate::ports::access::{SessionStore, SessionUse};
use sha2::{Digest, Sha256};

/// Staff sessions last a working day; patients stay signed in on their phone for 30 days.
pub const STAFF_SESSION_MS: i64 = 12 * 3600 * 1000;
pub const PATIENT_SESSION_MS: i64 = 30 * 24 * 3600 * 1000;
/// How stale the recorded last use may get before a use records it again.
pub const TOUCH_EVERY_MS: i64 = 3600 * 1000;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Session {
    /// SHA-256 of the bearer token (the token itself is never stored).
    pub token_hash: String,
    pub account_id: AccountId,
    pub role: Role,
    /// The staff member's practice; `None` for patients.
    pub org_id: Option<OrgId>,
    pub created_at: i64,
    /// The last recorded use (at most [`TOUCH_EVERY_MS`] behind the real one).
    pub last_used_at: i64,
    pub expires_at: i64,
    /// The `User-Agent` of the sign-in that made it (what the session list shows).
    pub user_agent: Option<String>,
}

/// The id a session is listed under: `sess_` and 128 bits of SHA-256 over its token's
/// hash. One-way, so knowing it gives neither the token nor the stored key.
pub fn session_id(token_hash: &str) -> String {
    let mut hasher = Sha256::new();
    hasher.update(b"canopy-session-id\0");
    hasher.update(token_hash.as_bytes());
    format!("sess_{}", &hex::encode(hasher.finalize())[..32])
}

impl Session {
    /// A new session and its plaintext token (for the client only).
    pub fn issue(account: &AccountId, role: Role, org: Option<&OrgId>, now: i64) -> (String, Self) {
        let token = token::named_token(account, org);
        let session = Self {
            token_hash: token_hash(&token),
            account_id: *account,
            role,
            org_id: org.copied(),
            created_at: now,
            last_used_at: now,
            expires_at: now + Self::lifetime(role),
            user_agent: None,
        };
        (token, session)
    }

    fn lifetime(role: Role) -> i64 {
        if role.is_staff() {
            STAFF_SESSION_MS
        } else {
            PATIENT_SESSION_MS
        }
    }

    pub fn is_live(&self, now: i64) -> bool {
        self.expires_at > now
    }

    pub fn id(&self) -> String {
        session_id(&self.token_hash)
    }

    /// The expiry after a use at `now`: a patient's slides to 30 days from it; a staff
    /// member's stays where sign-in put it.
    pub fn expiry_after_use(&self, now: i64) -> i64 {
        if self.role.is_staff() {
            self.expires_at
        } else {
            now + PATIENT_SESSION_MS
        }
    }
}

/// The live session for a token, or `None` (malformed, unknown, expired, or ended while
/// its use was being recorded). See the module docs for the round trips.
pub async fn resolve(
    store: &(impl SessionStore + SessionUse),
    token: &str,
    now: i64,
) -> Result<Option<Session>, StoreError> {
    if !token::looks_like_session_token(token) {
        return Ok(None);
    }
    let Some(session) = store.session(&token_hash(token)).await? else {
        return Ok(None);
    };
    accept(store, session, now).await
}

/// A session just read, if it is live; records the use when the last recorded one is
/// over [`TOUCH_EVERY_MS`] old (`None` if the session was ended meanwhile).
pub async fn accept(
    store: &impl SessionUse,
    mut session: Session,
    now: i64,
) -> Result<Option<Session>, StoreError> {
    if !session.is_live(now) {
        return Ok(None);
    }
    if now - session.last_used_at >= TOUCH_EVERY_MS {
        let expires_at = session.expiry_after_use(now);
        if !store
            .touch_session(&session.token_hash, now, expires_at)
            .await?
        {
            return Ok(None);
        }
        session.last_used_at = now;
        session.expires_at = expires_at;
    }
    Ok(Some(session))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_stable_one_way_and_not_tokens() {
        let (token, session) = Session::issue(&AccountId::generate(), Role::Patient, None, 0);
        let id = session.id();
        assert_eq!(id, session_id(&token_hash(&token)));
        assert!(id.starts_with("sess_") && id.len() == 37, "{id}");
        assert!(!token::looks_like_session_token(&id));
        assert!(!id.contains(&session.token_hash[..32]));
        assert!(!id.contains(&token));
    }

    #[test]
    fn only_a_patient_session_slides() {
        let (_, patient) = Session::issue(&AccountId::generate(), Role::Patient, None, 0);
        assert_eq!(patient.expiry_after_use(5), 5 + PATIENT_SESSION_MS);
        let org = OrgId::generate();
        let (_, staff) = Session::issue(&AccountId::generate(), Role::Member, Some(&org), 0);
        assert_eq!(staff.expiry_after_use(5), STAFF_SESSION_MS);
    }
}
