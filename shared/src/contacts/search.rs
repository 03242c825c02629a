//! Contact search (`GET /v1/contacts?q=`): a prefix search of the practice's address book,
//! one Query on the index the shape of `q` picks: name (also the alphabetical list when `q`
//! is absent), phone or email. The read is audited (a PutItem concurrent with the Query).

use super::model::Contact;
use crate::adapters::dynamo::StoreError;
use crate::domain::caller::{Caller, NotAllowed};
use crate::links::rules::InvalidField;
use crate::ports::contacts::{ContactStore, SearchFailure};

/// What a search looks for: a prefix of one of the three search keys.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SearchBy {
    /// A lower-cased name prefix.
    Name(String),
    /// A phone-key prefix (national digits for `+1`, `+` and digits otherwise).
    Phone(String),
    /// A lower-cased email prefix.
    Email(String),
}

/// Picks the key by the shape of `q`: an `@` → email; only digits and `+()-. ` with at
/// least one digit → phone; anything else (or nothing) → name.
pub fn search_by(q: Option<&str>) -> SearchBy {
    let q = q.map(str::trim).unwrap_or("");
    if q.contains('@') {
        return SearchBy::Email(q.to_lowercase());
    }
    let phone_like = q.chars().any(|c| c.is_ascii_digit())
        && q.chars()
            .all(|c| c.is_ascii_digit() || "+()-. ".contains(c));
    if phone_like {
        let digits: String = q.chars().filter(char::is_ascii_digit).collect();
        let key = if q.starts_with('+') {
            match digits.strip_prefix('1') {
                Some(national) => national.to_string(),
                None => format!("+{digits}"),
            }
        } else {
            digits
        };
        return SearchBy::Phone(key);
    }
    SearchBy::Name(q.to_lowercase())
}

/// One page of a search.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContactPage {
    pub items: Vec<Contact>,
    pub next_cursor: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SearchContactsError {
    #[error(transparent)]
    NotAllowed(#[from] NotAllowed),
    #[error(transparent)]
    Invalid(#[from] InvalidField),
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl From<SearchFailure> for SearchContactsError {
    fn from(e: SearchFailure) -> Self {
        match e {
            SearchFailure::BadCursor(e) => InvalidField::new("cursor", e).into(),
            SearchFailure::Store(e) => e.into(),
        }
    }
}

pub async fn search_contacts(
    store: &impl ContactStore,
    caller: &Caller,
    q: Option<&str>,
    limit: i32,
    cursor: Option<&str>,
    now: i64,
    request_id: &str,
) -> Result<ContactPage, SearchContactsError> {
    let org = caller.staff_org()?;
    if q.is_some_and(|q| q.chars().count() > 254) {
        return Err(InvalidField::new("q", "at most 254 characters").into());
    }
    let audit = crate::links::staff_audit(caller, &org, "contact.search", vec![], request_id);
    let by = search_by(q);
    Ok(store
        .search_contacts(&org, &by, limit, cursor, &audit, now)
        .await?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_shape_of_q_picks_the_key() {
        assert_eq!(search_by(Some("Ann@Ex")), SearchBy::Email("ann@ex".into()));
        assert_eq!(
            search_by(Some("(202) 555")),
            SearchBy::Phone("202555".into())
        );
        assert_eq!(search_by(Some("+1 202")), SearchBy::Phone("202".into()));
        assert_eq!(search_by(Some("+44 20")), SearchBy::Phone("+4420".into()));
        assert_eq!(search_by(Some("Ann L")), SearchBy::Name("ann l".into()));
        assert_eq!(search_by(None), SearchBy::Name(String::new()));
    }
}
