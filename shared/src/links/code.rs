//! A link code as it appears in a URL, and the words that can never be one.

use std::fmt;

/// A link code as it appears in a URL: 4–32 of `a-z 0-9 -` (allocated codes are 6 digits).
/// Upper-case input is read as lower case, so `/ABC123` and `/abc123` are the same link.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct LinkCode(String);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BadCode {
    #[error("must be 4 to 32 characters of a-z, 0-9 and -")]
    Shape,
    #[error("is reserved; choose another code")]
    Reserved,
}

/// Paths of the link domain (and words we may want there later) that can never be codes.
pub const RESERVED_CODES: &[&str] = &[
    "v1",
    "v2",
    "i",
    "static",
    "assets",
    "api",
    "app",
    "apps",
    "www",
    "admin",
    "help",
    "about",
    "privacy",
    "terms",
    "login",
    "signup",
    "download",
    "download-sms",
    "health",
    "status",
    "robots",
    "favicon",
    "well-known",
    "canopy",
];

impl LinkCode {
    /// The shape check alone: what a click or a lookup accepts before touching the table.
    pub fn parse(input: &str) -> Result<Self, BadCode> {
        let code = input.trim().to_ascii_lowercase();
        let shape_ok = (4..=32).contains(&code.len())
            && code
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
        if shape_ok {
            Ok(Self(code))
        } else {
            Err(BadCode::Shape)
        }
    }

    /// A code a practice asks for: the shape, and not a reserved word.
    pub fn parse_custom(input: &str) -> Result<Self, BadCode> {
        let code = Self::parse(input)?;
        if RESERVED_CODES.contains(&code.as_str()) {
            return Err(BadCode::Reserved);
        }
        Ok(code)
    }

    /// A freshly allocated six-digit code.
    pub fn allocate() -> Self {
        Self(crate::domain::secrets::new_link_code())
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for LinkCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Debug for LinkCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "LinkCode({})", self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_lower_case_and_bounded() {
        assert_eq!(
            LinkCode::parse("Elm-Street").unwrap().as_str(),
            "elm-street"
        );
        assert_eq!(LinkCode::parse("482913").unwrap().as_str(), "482913");
        for bad in [
            "abc",
            "",
            "a_bc",
            "ab c",
            "abc/",
            "ab.cd",
            "é123",
            &"a".repeat(33),
        ] {
            assert_eq!(LinkCode::parse(bad), Err(BadCode::Shape), "{bad}");
        }
        assert!(LinkCode::parse(&"a".repeat(32)).is_ok());
    }

    #[test]
    fn reserved_words_cannot_be_custom_codes() {
        for word in ["v1", "static", "i"] {
            assert!(LinkCode::parse_custom(word).is_err(), "{word}");
        }
        assert_eq!(LinkCode::parse_custom("STATIC"), Err(BadCode::Reserved));
        assert_eq!(LinkCode::parse_custom("download"), Err(BadCode::Reserved));
        assert!(LinkCode::parse_custom("elm-street").is_ok());
    }

    #[test]
    fn allocated_codes_are_six_digits() {
        for _ in 0..100 {
            let code = LinkCode::allocate();
            assert!(LinkCode::parse(code.as_str()).is_ok());
            assert_eq!(code.as_str().len(), 6);
            assert!(code.as_str().bytes().all(|b| b.is_ascii_digit()));
        }
    }
}
