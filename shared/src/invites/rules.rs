//! What an invite request may say: the routing link and the subject.

use crate::domain::caller::Caller;
use crate::domain::ids::LinkId;
use crate::links::rules::InvalidField;

/// A link the caller does not see (another practice's, not open to them, or malformed).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("no such link")]
pub struct UnknownLink;

/// `link_id` must be one of the links the caller sees (their practice's, open to them).
pub fn visible_link(caller: &Caller, raw: Option<&str>) -> Result<Option<LinkId>, UnknownLink> {
    raw.map(|raw| {
        raw.parse::<LinkId>()
            .ok()
            .filter(|l| caller.visible_links.contains(l))
            .ok_or(UnknownLink)
    })
    .transpose()
}

/// A subject: trimmed, blank is none, at most 200 characters without control characters.
pub fn subject(raw: Option<&str>) -> Result<Option<String>, InvalidField> {
    let Some(subject) = raw.map(str::trim).filter(|s| !s.is_empty()) else {
        return Ok(None);
    };
    if subject.chars().count() > 200 || subject.chars().any(char::is_control) {
        return Err(InvalidField::new(
            "subject",
            "at most 200 characters without control characters",
        ));
    }
    Ok(Some(subject.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn subjects_are_trimmed_and_bounded() {
        assert_eq!(subject(Some("  ")), Ok(None));
        assert_eq!(subject(Some(" Results ")), Ok(Some("Results".into())));
        assert!(subject(Some(&"x".repeat(201))).is_err());
        assert!(subject(Some("a\nb")).is_err());
    }
}
