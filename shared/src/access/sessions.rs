//! Bearer sessions: 256-bit random tokens, of which only the SHA-256 is stored; they expire
//! (checked on every use, not left to TTL) and are revoked by deleting them.
//!
//! A session is created inside the transaction of the sign-in that made it (the store's
//! `put_session`), so it exists only if that sign-in committed. Resolving one is one
//! consistent `GetItem`.

use crate::adapters::dynamo::StoreError;
use crate::domain::ids::{AccountId, OrgId};
use crate::domain::role::Role;
use crate::domain::secrets::{looks_like_token, new_token, token_hash};
use crate::ports::access::SessionStore;

/// Staff sessions last a working day; patients stay signed in on their phone for 30 days.
pub const STAFF_SESSION_MS: i64 = 12 * 3600 * 1000;
pub const PATIENT_SESSION_MS: i64 = 30 * 24 * 3600 * 1000;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Session {
    /// SHA-256 of the bearer token (the token itself is never stored).
    pub token_hash: String,
    pub account_id: AccountId,
    pub role: Role,
    /// The staff member's practice; `None` for patients.
    pub org_id: Option<OrgId>,
    pub created_at: i64,
    pub expires_at: i64,
}

impl Session {
    /// A new session and its plaintext token (for the client only).
    pub fn issue(account: &AccountId, role: Role, org: Option<&OrgId>, now: i64) -> (String, Self) {
        let token = new_token();
        let lifetime = if role.is_staff() {
            STAFF_SESSION_MS
        } else {
            PATIENT_SESSION_MS
        };
        let session = Self {
            token_hash: token_hash(&token),
            account_id: *account,
            role,
            org_id: org.copied(),
            created_at: now,
            expires_at: now + lifetime,
        };
        (token, session)
    }

    pub fn is_live(&self, now: i64) -> bool {
        self.expires_at > now
    }
}

/// The live session for a token, or `None` (malformed, unknown, expired). One `GetItem`,
/// none for a malformed token.
pub async fn resolve(
    store: &impl SessionStore,
    token: &str,
    now: i64,
) -> Result<Option<Session>, StoreError> {
    if !looks_like_token(token) {
        return Ok(None);
    }
    let session = store.session(&token_hash(token)).await?;
    Ok(session.filter(|s| s.is_live(now)))
}
