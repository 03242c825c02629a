//! The proof of a claimed caller (`access::proof`) as `ConditionCheck`s in the route's own
//! transaction: the session item, and for staff their membership and their practice's
//! `#META` (its `access_version`).

use super::sessions::session_key;
use crate::access::proof::{SessionProof, StaffProof};
use crate::adapters::dynamo::{key, keys, n, s, Expr, Item, StoreError, Tx};
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
    check_own_items(tx, proof)?;
    let Some(staff) = &proof.staff else {
        return Ok(());
    };
    let mut practice = Expr::present();
    practice.name("#version", keys::ACCESS_VERSION_ATTR);
    match staff.access_version {
        0 => practice.and("attribute_not_exists(#version)"),
        v => practice.value(":version", n(v)).and("#version = :version"),
    };
    tx.check(CALLER_PRACTICE_SLOT, practice_key(staff), practice)?;
    Ok(())
}

/// The practice `#META` item whose access version a staff proof names.
pub fn practice_key(staff: &StaffProof) -> Item {
    key(keys::org_pk(&staff.org_id), keys::ORG_META_SK)
}

/// Whether the practice item as read (`practice_key`) still has the access version the
/// staff proof remembers: [`check_session`]'s practice condition, checked on a read. A
/// write every staff member of a practice may make at once (a group read receipt) checks
/// the version this way, so their transactions share no item.
pub fn practice_version_holds(practice: Option<&Item>, staff: &StaffProof) -> bool {
    let Some(item) = practice else {
        return false;
    };
    let version = match item.get(keys::ACCESS_VERSION_ATTR) {
        None => 0,
        Some(v) => match v.as_n().ok().and_then(|n| n.parse::<u64>().ok()) {
            Some(v) => v,
            None => return false,
        },
    };
    version == staff.access_version
}

/// [`check_session`] without the practice: the caller's own items only (their session,
/// and for staff their membership), which no other caller's transaction touches.
pub fn check_own_items(tx: &mut Tx, proof: &SessionProof) -> Result<(), StoreError> {
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

    #[test]
    fn without_the_practice_a_staff_proof_checks_session_and_membership_only() {
        let staff = StaffProof {
            org_id: OrgId::generate(),
            role: Role::Member,
            access_version: 3,
        };
        let mut tx = Tx::new();
        check_own_items(&mut tx, &proof(Some(staff.clone()))).unwrap();
        assert_eq!(tx.slots(), [CALLER_SESSION_SLOT, CALLER_MEMBER_SLOT]);

        let practice = |version: Option<&str>| {
            let mut item = practice_key(&staff);
            if let Some(v) = version {
                item.insert(
                    keys::ACCESS_VERSION_ATTR.into(),
                    n(v.parse::<u64>().unwrap()),
                );
            }
            item
        };
        assert!(practice_version_holds(Some(&practice(Some("3"))), &staff));
        assert!(!practice_version_holds(Some(&practice(Some("4"))), &staff));
        assert!(!practice_version_holds(Some(&practice(None)), &staff));
        assert!(!practice_version_holds(None, &staff));
        let never_moved = StaffProof {
            access_version: 0,
            ..staff.clone()
        };
        assert!(practice_version_holds(Some(&practice(None)), &never_moved));
    }
}
