//! The shape of a session token. A token names its account and (for staff) its practice
//! in clear, before 256 random bits: `acct_….org_….<random>` (a patient's has `-` for the
//! practice). Knowing who claims to call *before any read* lets a handler fetch the
//! session, the membership and the practice's links all at once, in one round trip
//! (see [`crate::access::authorize`]).
//!
//! The names are claims, not proof: the stored key is the SHA-256 of the whole token, so
//! altering a name misses the session, and the session found must name the same account
//! and practice before anything is released. Tokens issued before this shape (43 random
//! characters alone, [`looks_like_token`]) are still accepted, through the slower path that
//! reads the session first; none are issued any more.

use crate::domain::ids::{AccountId, OrgId};
use crate::domain::secrets::{looks_like_token, new_token};

/// What the token says of its caller (trusted only once the stored session agrees).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Claims {
    pub account_id: AccountId,
    pub org_id: Option<OrgId>,
}

/// The practice part of a patient's token.
const NO_ORG: &str = "-";

/// A new token naming `account` and `org`.
pub fn named_token(account: &AccountId, org: Option<&OrgId>) -> String {
    let org = org.map_or_else(|| NO_ORG.to_string(), ToString::to_string);
    format!("{account}.{org}.{}", new_token())
}

/// The names in a token of the current shape; `None` for any other string (a token from
/// before, or garbage).
pub fn claims(token: &str) -> Option<Claims> {
    let mut parts = token.splitn(3, '.');
    let (account, org, random) = (parts.next()?, parts.next()?, parts.next()?);
    if !looks_like_token(random) {
        return None;
    }
    let account_id = account.parse().ok()?;
    let org_id = match org {
        NO_ORG => None,
        other => Some(other.parse().ok()?),
    };
    Some(Claims { account_id, org_id })
}

/// Whether a string could be a session token we issued (either shape); anything else is
/// refused before a lookup.
pub fn looks_like_session_token(token: &str) -> bool {
    looks_like_token(token) || claims(token).is_some()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_token_names_its_account_and_practice() {
        let account = AccountId::generate();
        let org = OrgId::generate();
        let staff = named_token(&account, Some(&org));
        assert_eq!(
            claims(&staff),
            Some(Claims {
                account_id: account,
                org_id: Some(org)
            })
        );
        let patient = named_token(&account, None);
        assert_eq!(
            claims(&patient),
            Some(Claims {
                account_id: account,
                org_id: None
            })
        );
        assert!(looks_like_session_token(&staff) && looks_like_session_token(&patient));
        assert_ne!(
            named_token(&account, None),
            patient,
            "the random part differs"
        );
    }

    #[test]
    fn malformed_tokens_name_no_one() {
        let account = AccountId::generate();
        let random = new_token();
        for bad in [
            String::new(),
            format!("{account}.-"),
            format!("{account}.-.short"),
            format!("acct_nope.-.{random}"),
            format!("{account}.org_nope.{random}"),
            format!("{account}.-.{random}.extra"),
            format!("{account}..{random}"),
        ] {
            assert_eq!(claims(&bad), None, "{bad}");
        }
        assert!(
            looks_like_session_token(&random),
            "the old shape is still read"
        );
        assert!(!looks_like_session_token("garbage"));
    }
}
