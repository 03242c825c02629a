//! The free-text fields staff set on a conversation (subject, tags), validated once for
//! both creation and PATCH.

/// Most characters of a subject.
pub const MAX_SUBJECT_CHARS: usize = 200;
/// Most tags on a conversation, and characters per tag.
pub const MAX_TAGS: usize = 20;
pub const MAX_TAG_CHARS: usize = 40;

/// A field failed validation; the edge answers 400 naming `field`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{field}: {problem}")]
pub struct BadField {
    pub field: String,
    pub problem: &'static str,
}

impl BadField {
    pub fn new(field: impl Into<String>, problem: &'static str) -> Self {
        Self {
            field: field.into(),
            problem,
        }
    }
}

/// A subject: trimmed; empty means none; at most 200 characters, no control characters.
pub fn subject(raw: Option<String>) -> Result<Option<String>, BadField> {
    let Some(s) = raw.map(|s| s.trim().to_string()).filter(|s| !s.is_empty()) else {
        return Ok(None);
    };
    if s.chars().count() > MAX_SUBJECT_CHARS || s.chars().any(char::is_control) {
        return Err(BadField::new(
            "subject",
            "must be at most 200 characters, without control characters",
        ));
    }
    Ok(Some(s))
}

/// Tags: each trimmed and 1–40 characters, duplicates dropped, at most 20.
pub fn tags(raw: Vec<String>) -> Result<Vec<String>, BadField> {
    // As the schema counts them (maxItems): before duplicates are dropped.
    if raw.len() > MAX_TAGS {
        return Err(BadField::new("tags", "at most 20 tags"));
    }
    let mut tags: Vec<String> = Vec::new();
    for (i, t) in raw.into_iter().enumerate() {
        let t = t.trim().to_string();
        if t.is_empty() || t.chars().count() > MAX_TAG_CHARS || t.chars().any(char::is_control) {
            return Err(BadField::new(
                format!("tags[{i}]"),
                "must be 1 to 40 characters",
            ));
        }
        if !tags.contains(&t) {
            tags.push(t);
        }
    }
    if tags.len() > MAX_TAGS {
        return Err(BadField::new("tags", "at most 20 tags"));
    }
    Ok(tags)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blank_subjects_are_none_and_long_ones_refused() {
        assert_eq!(subject(Some("  ".into())), Ok(None));
        assert_eq!(subject(Some(" Labs ".into())), Ok(Some("Labs".into())));
        assert!(subject(Some("x".repeat(201))).is_err());
        assert!(subject(Some("a\u{7}".into())).is_err());
    }

    #[test]
    fn tags_are_deduplicated_and_bounded() {
        assert_eq!(
            tags(vec!["a".into(), " a ".into(), "b".into()]),
            Ok(vec!["a".to_string(), "b".to_string()])
        );
        assert_eq!(tags(vec!["".into()]).unwrap_err().field, "tags[0]");
        let many = (0..21).map(|i| i.to_string()).collect();
        assert_eq!(tags(many).unwrap_err().field, "tags");
        // Counted as sent (the schema's maxItems), duplicates included.
        let repeated = vec!["a".to_string(); 21];
        assert_eq!(tags(repeated).unwrap_err().field, "tags");
    }
}
