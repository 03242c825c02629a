//! Authorization that rides in the route's own write (issue 13.1): a patient's token names
//! its account and no practice ([`super::sessions::token`]), so on the routes that opt in
//! (`http::authenticate::DEFERRED_ROUTES`) the caller is known without reading anything.
//! Nothing is proven yet: the route's first write, one `TransactWriteItems`, carries a
//! `ConditionCheck` of the session item ([`SessionProof`], slot `caller_session`, first in
//! the transaction so its refusal is the one reported), and nothing read concurrently is
//! released unless that transaction commits. A forged token (a real account and a wrong
//! secret) names no stored session: the transaction is cancelled, so not even the audit
//! item of the read is written in that account's name.
//!
//! The condition also requires the session's recorded use to be under
//! [`super::sessions::TOUCH_EVERY_MS`] old; once an hour it is not, the route answers
//! "refused" and the caller is resolved the usual way (read, record the use, at most
//! hourly), then the route runs again with the proven caller: the sliding expiry stays
//! off the hot path.

use super::sessions::{token, TOUCH_EVERY_MS};
use crate::domain::caller::Caller;
use crate::domain::ids::AccountId;
use crate::domain::role::Role;
use crate::domain::secrets::token_hash;

/// What must hold of the stored session for a claimed caller to be who they say.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionProof {
    /// The stored key: the SHA-256 of the whole token.
    pub token_hash: String,
    /// The session must be this account's, a patient's, with no practice.
    pub account_id: AccountId,
    /// It must not have expired by now.
    pub now: i64,
    /// Its recorded use must be later than this (else the use is due to be recorded).
    pub used_after: i64,
}

/// For a token naming a patient (no practice): the caller it claims and what its
/// session must satisfy. `None` for staff tokens and tokens of the old shape, which are
/// resolved by reading (`access::authorize`).
pub fn patient_claim(token: &str, now: i64) -> Option<(Caller, SessionProof)> {
    let claims = token::claims(token)?;
    if claims.org_id.is_some() {
        return None;
    }
    let caller = Caller {
        account_id: claims.account_id,
        role: Role::Patient,
        org_id: None,
        visible_links: vec![],
    };
    let proof = SessionProof {
        token_hash: token_hash(token),
        account_id: claims.account_id,
        now,
        used_after: now - TOUCH_EVERY_MS,
    };
    Some((caller, proof))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::ids::OrgId;

    #[test]
    fn only_a_patient_token_is_claimed_without_a_read() {
        let account = AccountId::generate();
        let token = token::named_token(&account, None);
        let (caller, proof) = patient_claim(&token, 10_000_000).unwrap();
        assert_eq!(caller.account_id, account);
        assert_eq!(caller.role, Role::Patient);
        assert_eq!(proof.token_hash, token_hash(&token));
        assert_eq!(proof.used_after, 10_000_000 - TOUCH_EVERY_MS);
        let staff = token::named_token(&account, Some(&OrgId::generate()));
        assert!(patient_claim(&staff, 0).is_none());
        assert!(patient_claim("not-a-token", 0).is_none());
    }
}
