//! What a link's fields may hold: labels, tags, and members (who must be current members of
//! the practice). Shared by create and update.

use crate::domain::ids::AccountId;

pub const MAX_LABEL_CHARS: usize = 100;
pub const MAX_TAGS: usize = 20;
pub const MAX_TAG_CHARS: usize = 40;
pub const MAX_MEMBERS: usize = 100;

/// A field the request got wrong: the edge answers 400 naming it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{field}: {problem}")]
pub struct InvalidField {
    pub field: String,
    pub problem: String,
}

impl InvalidField {
    pub fn new(field: impl Into<String>, problem: impl std::fmt::Display) -> Self {
        Self {
            field: field.into(),
            problem: problem.to_string(),
        }
    }
}

/// A label: trimmed, 1–100 characters, no control characters.
pub fn label(raw: &str) -> Result<String, InvalidField> {
    let label = raw.trim();
    if label.is_empty() || label.chars().count() > MAX_LABEL_CHARS {
        return Err(InvalidField::new(
            "label",
            format!("must be 1 to {MAX_LABEL_CHARS} characters"),
        ));
    }
    if label.chars().any(char::is_control) {
        return Err(InvalidField::new(
            "label",
            "must not contain control characters",
        ));
    }
    crate::domain::plain_name::ensure_plain(label).map_err(|e| InvalidField::new("label", e))?;
    Ok(label.to_string())
}

/// Tags: each trimmed, 1–40 characters; duplicates dropped (first spelling kept), order kept.
pub fn tags(raw: &[String]) -> Result<Vec<String>, InvalidField> {
    if raw.len() > MAX_TAGS {
        return Err(InvalidField::new(
            "tags",
            format!("at most {MAX_TAGS} tags"),
        ));
    }
    let mut out: Vec<String> = Vec::with_capacity(raw.len());
    for (i, tag) in raw.iter().enumerate() {
        let tag = tag.trim();
        if tag.is_empty()
            || tag.chars().count() > MAX_TAG_CHARS
            || tag.chars().any(char::is_control)
        {
            return Err(InvalidField::new(
                format!("tags[{i}]"),
                format!("must be 1 to {MAX_TAG_CHARS} printable characters"),
            ));
        }
        if !out.iter().any(|t| t.eq_ignore_ascii_case(tag)) {
            out.push(tag.to_string());
        }
    }
    Ok(out)
}

/// Link members, deduplicated in order. Empty means the whole team (and needs no roster).
pub fn member_list(raw: &[AccountId]) -> Result<Vec<AccountId>, InvalidField> {
    if raw.len() > MAX_MEMBERS {
        return Err(InvalidField::new(
            "member_ids",
            format!("at most {MAX_MEMBERS} members"),
        ));
    }
    let mut out: Vec<AccountId> = Vec::with_capacity(raw.len());
    for id in raw {
        if !out.contains(id) {
            out.push(*id);
        }
    }
    Ok(out)
}

/// A listed member who is not on the practice's roster: a well-formed id that names no
/// teammate the caller can see, so the contract's 404 (a malformed id never gets here).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("member_ids: {0} is not a member of this practice")]
pub struct UnknownMember(pub AccountId);

/// Every listed member must be on the practice's roster.
pub fn members_on_roster(members: &[AccountId], roster: &[AccountId]) -> Result<(), UnknownMember> {
    match members.iter().find(|id| !roster.contains(id)) {
        Some(unknown) => Err(UnknownMember(*unknown)),
        None => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_are_trimmed_and_bounded() {
        assert_eq!(label("  Front desk ").unwrap(), "Front desk");
        assert!(label("   ").is_err());
        assert!(label(&"x".repeat(101)).is_err());
        assert!(label("a\u{0}b").is_err());
    }

    #[test]
    fn tags_are_trimmed_and_deduplicated() {
        let got = tags(&["new ".into(), "New".into(), "flu".into()]).unwrap();
        assert_eq!(got, vec!["new".to_string(), "flu".to_string()]);
        let err = tags(&["ok".into(), " ".into()]).unwrap_err();
        assert_eq!(err.field, "tags[1]");
    }

    #[test]
    fn members_are_deduplicated_and_must_be_on_the_roster() {
        let (a, b) = (AccountId::generate(), AccountId::generate());
        assert_eq!(member_list(&[a, a, b]).unwrap(), vec![a, b]);
        assert!(members_on_roster(&[a], &[a, b]).is_ok());
        let err = members_on_roster(&[a, b], &[a]).unwrap_err();
        assert_eq!(err, UnknownMember(b));
        assert_eq!(
            err.to_string(),
            format!("member_ids: {b} is not a member of this practice")
        );
    }
}
