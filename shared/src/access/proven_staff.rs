//! Staff callers this process has proven by reading (`access::authorize`), remembered by
//! the SHA-256 of their token with the practice's access version they were proven at, so
//! that on the routes that defer authorization (`http::deferred`) the next request of the
//! same token runs at once with that caller and proves it in its own first write
//! (`access::proof`): the session is live, the membership has the same role, and the
//! practice's access version has not moved. Nothing here is trusted on its own: an entry
//! is only a guess that the transaction confirms or refuses, and a refusal forgets it.
//!
//! Bounded like `conversations::post`'s kinds: the map is dropped when it grows past
//! [`KEPT`] (each forgotten caller costs one read on its next request).

use crate::domain::caller::Caller;
use std::collections::HashMap;
use std::sync::Mutex;

/// How many tokens a process remembers before it starts over.
const KEPT: usize = 10_000;

/// A staff caller as last proven, and the practice's access version then.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProvenStaff {
    pub caller: Caller,
    pub access_version: u64,
}

static PROVEN: Mutex<Option<HashMap<String, ProvenStaff>>> = Mutex::new(None);

/// The caller last proven for this token hash, if this process remembers one.
pub fn recall(token_hash: &str) -> Option<ProvenStaff> {
    PROVEN.lock().ok()?.as_ref()?.get(token_hash).cloned()
}

/// Remembers a staff caller just resolved by reading, with the version read alongside.
pub fn remember(token_hash: &str, caller: &Caller, access_version: u64) {
    if let Ok(mut proven) = PROVEN.lock() {
        let map = proven.get_or_insert_with(HashMap::new);
        if map.len() >= KEPT && !map.contains_key(token_hash) {
            map.clear();
        }
        map.insert(
            token_hash.to_string(),
            ProvenStaff {
                caller: caller.clone(),
                access_version,
            },
        );
    }
}

/// Forgets the token (its proof was refused, or it resolved to nobody).
pub fn forget(token_hash: &str) {
    if let Ok(mut proven) = PROVEN.lock() {
        if let Some(map) = proven.as_mut() {
            map.remove(token_hash);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::ids::{AccountId, OrgId};
    use crate::domain::role::Role;

    fn staff() -> Caller {
        Caller {
            account_id: AccountId::generate(),
            role: Role::Member,
            org_id: Some(OrgId::generate()),
            visible_links: vec![],
        }
    }

    #[test]
    fn a_remembered_caller_is_recalled_until_forgotten_or_replaced() {
        let (hash, caller) = (format!("test-{}", AccountId::generate()), staff());
        assert_eq!(recall(&hash), None);
        remember(&hash, &caller, 3);
        assert_eq!(recall(&hash).unwrap().access_version, 3);
        let mut admin = caller.clone();
        admin.role = Role::Admin;
        remember(&hash, &admin, 4);
        let now = recall(&hash).unwrap();
        assert_eq!((now.caller.role, now.access_version), (Role::Admin, 4));
        forget(&hash);
        assert_eq!(recall(&hash), None);
    }
}
