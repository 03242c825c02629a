//! Validation shared by create and update: labels, tags, and link members (who must be
//! current members of the practice).

use canopy_shared::domain::ids::{AccountId, OrgId};
use canopy_shared::http::ApiError;
use canopy_shared::practice::list_members;
use canopy_shared::App;

pub const MAX_LABEL_CHARS: usize = 100;
pub const MAX_TAGS: usize = 20;
pub const MAX_TAG_CHARS: usize = 40;
pub const MAX_MEMBERS: usize = 100;

/// A label: trimmed, 1–100 characters, no control characters.
pub fn label(raw: &str) -> Result<String, ApiError> {
    let label = raw.trim();
    if label.is_empty() || label.chars().count() > MAX_LABEL_CHARS {
        return Err(ApiError::invalid(
            "label",
            format!("must be 1 to {MAX_LABEL_CHARS} characters"),
        ));
    }
    if label.chars().any(char::is_control) {
        return Err(ApiError::invalid(
            "label",
            "must not contain control characters",
        ));
    }
    Ok(label.to_string())
}

/// Tags: each trimmed, 1–40 characters; duplicates dropped (first spelling kept), order kept.
pub fn tags(raw: &[String]) -> Result<Vec<String>, ApiError> {
    if raw.len() > MAX_TAGS {
        return Err(ApiError::invalid(
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
            return Err(ApiError::invalid(
                &format!("tags[{i}]"),
                format!("must be 1 to {MAX_TAG_CHARS} printable characters"),
            ));
        }
        if !out.iter().any(|t| t.eq_ignore_ascii_case(tag)) {
            out.push(tag.to_string());
        }
    }
    Ok(out)
}

/// Link members: deduplicated, and every one a current member of the practice (one Query
/// of the practice's staff, skipped when the list is empty = the whole team).
pub async fn members(
    app: &App,
    org: &OrgId,
    raw: &[AccountId],
) -> Result<Vec<AccountId>, ApiError> {
    if raw.len() > MAX_MEMBERS {
        return Err(ApiError::invalid(
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
    if out.is_empty() {
        return Ok(out);
    }
    let staff = list_members(app, org).await?;
    if let Some(unknown) = out
        .iter()
        .find(|id| !staff.iter().any(|m| m.account_id == **id))
    {
        return Err(ApiError::invalid(
            "member_ids",
            format!("{unknown} is not a member of this practice"),
        ));
    }
    Ok(out)
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
        assert!(err.message.starts_with("tags[1]"), "{}", err.message);
    }
}
