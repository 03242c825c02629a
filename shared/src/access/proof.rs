//! Authorization that rides in the route's own write (issue 13.1). On the routes that opt
//! in (`http::authenticate::DEFERRED_ROUTES`) the caller is known without reading
//! anything: a patient's token names its account and no practice
//! ([`super::sessions::token`]), and a staff token this process resolved before is
//! remembered with the caller it was ([`super::proven_staff`]). Nothing is proven yet:
//! the route's first write, one `TransactWriteItems`, carries `ConditionCheck`s of what
//! made that caller ([`SessionProof`], first in the transaction so a refusal of theirs is
//! the one reported), and nothing read concurrently is released unless that transaction
//! commits. A forged token (a real account and a wrong secret) names no stored session
//! and is never remembered: the transaction is cancelled, so not even the audit item of
//! the read is written in that account's name.
//!
//! A staff caller's rights (role, and which links' conversations they see) are not in the
//! token, and a transaction cannot make one item's condition depend on another's
//! attributes; so the proof checks that nothing they were derived from has changed: the
//! membership still has the remembered role ([`StaffProof::role`]), and the practice's
//! access version, which every transaction changing what its staff may see or do moves
//! (`adapters::dynamo::keys::ACCESS_VERSION_ATTR`), is the one read with them. A removed
//! teammate, an ended session, a role or link-membership change: the transaction is
//! refused, the process forgets the caller, reads it again and the route runs once more.
//!
//! The session condition also requires its recorded use to be under
//! [`super::sessions::TOUCH_EVERY_MS`] old; once an hour it is not, the route answers
//! "refused" and the caller is resolved the usual way (read, record the use, at most
//! hourly), then the route runs again with the proven caller: the sliding expiry stays
//! off the hot path.

use super::proven_staff;
use super::sessions::{token, TOUCH_EVERY_MS};
use crate::domain::caller::Caller;
use crate::domain::ids::{AccountId, OrgId};
use crate::domain::role::Role;
use crate::domain::secrets::token_hash;

/// What must hold of the stored session (and for staff, their membership and practice)
/// for a claimed caller to be who they say with the rights they claim.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionProof {
    /// The stored key: the SHA-256 of the whole token.
    pub token_hash: String,
    /// The session must be this account's: a patient's with no practice, or for
    /// [`Self::staff`] one of that practice.
    pub account_id: AccountId,
    /// It must not have expired by now.
    pub now: i64,
    /// Its recorded use must be later than this (else the use is due to be recorded).
    pub used_after: i64,
    /// `Some` for a remembered staff caller: what their rights were derived from.
    pub staff: Option<StaffProof>,
}

/// A staff caller's rights as remembered ([`super::proven_staff`]): the transaction
/// checks that none of it changed since.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StaffProof {
    /// The session's practice, and the practice whose membership and `#META` are checked.
    pub org_id: OrgId,
    /// The membership must still exist with this role.
    pub role: Role,
    /// The practice's access version must still be this (0: never moved, absent).
    pub access_version: u64,
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
        staff: None,
    };
    Some((caller, proof))
}

/// For a staff token this process resolved before ([`super::proven_staff`]): the caller
/// it was then and what must still hold for it to be that caller now. `None` for any
/// other token (never seen, forgotten, a patient's, or of the old shape), which is
/// resolved by reading (`access::authorize`, which remembers it for next time).
pub fn staff_claim(token: &str, now: i64) -> Option<(Caller, SessionProof)> {
    let claims = token::claims(token)?;
    let org_id = claims.org_id?;
    let hash = token_hash(token);
    let remembered = proven_staff::recall(&hash)?;
    let caller = remembered.caller;
    // Remembered under the hash of this very token, so these hold; checked all the same.
    if caller.account_id != claims.account_id || caller.org_id != Some(org_id) {
        return None;
    }
    let proof = SessionProof {
        token_hash: hash,
        account_id: claims.account_id,
        now,
        used_after: now - TOUCH_EVERY_MS,
        staff: Some(StaffProof {
            org_id,
            role: caller.role,
            access_version: remembered.access_version,
        }),
    };
    Some((caller, proof))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_a_patient_token_is_claimed_without_a_read() {
        let account = AccountId::generate();
        let token = token::named_token(&account, None);
        let (caller, proof) = patient_claim(&token, 10_000_000).unwrap();
        assert_eq!(caller.account_id, account);
        assert_eq!(caller.role, Role::Patient);
        assert_eq!(proof.token_hash, token_hash(&token));
        assert_eq!(proof.used_after, 10_000_000 - TOUCH_EVERY_MS);
        assert_eq!(proof.staff, None);
        let staff = token::named_token(&account, Some(&OrgId::generate()));
        assert!(patient_claim(&staff, 0).is_none());
        assert!(patient_claim("not-a-token", 0).is_none());
        assert!(
            staff_claim(&token, 0).is_none(),
            "a patient's token is no staff claim"
        );
    }

    #[test]
    fn a_staff_token_is_claimed_only_as_remembered_under_its_own_hash() {
        let (account, org) = (AccountId::generate(), OrgId::generate());
        let token = token::named_token(&account, Some(&org));
        assert!(staff_claim(&token, 0).is_none(), "never resolved here");
        let caller = Caller {
            account_id: account,
            role: Role::Admin,
            org_id: Some(org),
            visible_links: vec![],
        };
        proven_staff::remember(&token_hash(&token), &caller, 5);
        let (claimed, proof) = staff_claim(&token, 10_000_000).unwrap();
        assert_eq!(claimed, caller);
        let staff = proof.staff.unwrap();
        assert_eq!(
            (staff.org_id, staff.role, staff.access_version),
            (org, Role::Admin, 5)
        );
        // Another token naming the same account and practice (another secret) is not it.
        let forged = token::named_token(&account, Some(&org));
        assert!(staff_claim(&forged, 0).is_none());
        proven_staff::forget(&token_hash(&token));
        assert!(staff_claim(&token, 0).is_none());
    }
}
