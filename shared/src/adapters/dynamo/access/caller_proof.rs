//! The proof of a claimed caller (`access::proof`) as `ConditionCheck`s in the route's own
//! transaction: the session item, and for staff their membership and their practice's
//! `#META` (its `access_version`).

use super::sessions::session_key;
use crate::access::proof::SessionProof;
use crate::adapters::dynamo::{key, keys, n, s, Expr, StoreError, Tx};
use crate::domain::role::Role;

/// The slots of [`check_session`]'s `ConditionCheck`s: the session, and for a staff
/// caller their membership and their practice's `#META` item.
pub const CALLER_SESSION_SLOT: &str = "caller_session";
pub const CALLER_MEMBER_SLOT: &str = "caller_member";
pub const CALLER_PRACTICE_SLOT: &str = "caller_practice";

/// Whether a refused slot is one of [`check_session`]'s: the claimed caller is not (or no
/// longer) who they were taken for, which the route answers 401 (`StoreError::SessionRefused`).
pub fn is_caller_slot(slot: &str) -> bool {
    [
        CALLER_SESSION_SLOT,
        CALLER_MEMBER_SLOT,
        CALLER_PRACTICE_SLOT,
    ]
    .contains(&slot)
}

/// Adds the proof of a claimed caller to `tx` (`access::proof`): the session exists, is
/// the claimed account's, has not expired and was used within the hour; a patient's has
/// no practice; a staff member's is of their practice, their membership still has the
/// role remembered, and the practice's access version has not moved. Call it before
/// adding anything else, so that when it fails it is the slot reported. None of these
/// items is written by the routes that carry it (a transaction touches an item once).
pub fn check_session(tx: &mut Tx, proof: &SessionProof) -> Result<(), StoreError> {
    let mut e = Expr::default();
    e.name("#pk", "pk")
        .name("#account", "account_id")
        .name("#exp", "expires_at")
        .name("#used", "last_used_at")
        .name("#org", "org_id")
        .value(":account", s(proof.account_id.to_string()))
        .value(":now", n(proof.now))
        .value(":used_after", n(proof.used_after))
        .and("attribute_exists(#pk) AND #account = :account")
        .and("#exp > :now AND #used > :used_after");
    let Some(staff) = &proof.staff else {
        let role = serde_dynamo::to_attribute_value(Role::Patient)
            .map_err(|e| StoreError::Corrupt(e.to_string()))?;
        e.name("#role", "role")
            .value(":role", role)
            .value(":null", s("NULL"))
            .and("#role = :role")
            .and("attribute_not_exists(#org) OR attribute_type(#org, :null)");
        tx.check(CALLER_SESSION_SLOT, session_key(&proof.token_hash), e)?;
        return Ok(());
    };
    e.value(":org", s(staff.org_id.to_string()))
        .and("#org = :org");
    tx.check(CALLER_SESSION_SLOT, session_key(&proof.token_hash), e)?;

    let mut member = Expr::present();
    member
        .name("#role", "role")
        .value(":role", s(staff.role.as_str()))
        .and("#role = :role");
    let member_key = key(
        keys::org_pk(&staff.org_id),
        keys::member_sk(&proof.account_id),
    );
    tx.check(CALLER_MEMBER_SLOT, member_key, member)?;

    let mut practice = Expr::present();
    practice.name("#version", keys::ACCESS_VERSION_ATTR);
    match staff.access_version {
        0 => practice.and("attribute_not_exists(#version)"),
        v => practice.value(":version", n(v)).and("#version = :version"),
    };
    let practice_key = key(keys::org_pk(&staff.org_id), keys::ORG_META_SK);
    tx.check(CALLER_PRACTICE_SLOT, practice_key, practice)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::access::proof::StaffProof;
    use crate::domain::ids::{AccountId, OrgId};

    fn proof(staff: Option<StaffProof>) -> SessionProof {
        SessionProof {
            token_hash: "h".into(),
            account_id: AccountId::generate(),
            now: 2,
            used_after: 1,
            staff,
        }
    }

    #[test]
    fn a_patient_is_proven_by_the_session_and_staff_by_session_membership_and_practice() {
        let mut tx = Tx::new();
        check_session(&mut tx, &proof(None)).unwrap();
        assert_eq!(tx.slots(), [CALLER_SESSION_SLOT]);
        let mut tx = Tx::new();
        let staff = StaffProof {
            org_id: OrgId::generate(),
            role: Role::Member,
            access_version: 0,
        };
        check_session(&mut tx, &proof(Some(staff))).unwrap();
        assert_eq!(
            tx.slots(),
            [
                CALLER_SESSION_SLOT,
                CALLER_MEMBER_SLOT,
                CALLER_PRACTICE_SLOT
            ]
        );
        assert!(tx.slots().iter().all(|s| is_caller_slot(s)));
        assert!(!is_caller_slot("meta"));
    }
}
