//! Plain names (API.md "Practices and staff"): practice names, owner and teammate names and
//! link labels travel in SMS and email, so they may not carry a URL, an e-mail address or a
//! phone number. [`ensure_plain`] is the one rule; [`DisplayName::parse_plain`] and the link
//! label rule apply it.

use super::contact_info::DisplayName;

/// Why a name is not plain.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NotPlain {
    #[error("must be 1 to 100 characters without control characters")]
    Length,
    #[error("must not contain a web address")]
    Url,
    #[error("must not contain an e-mail address")]
    Email,
    #[error("must not contain a phone number")]
    Phone,
}

/// Fewest digits in one run of phone-ish characters that make it a phone number
/// (a US local number has 7).
const PHONE_DIGITS: usize = 7;

/// Refuses a text holding a URL (`scheme://`, `www.`, a bare domain like `evil.example`),
/// an e-mail address (any `@`) or a phone number (7 or more digits in one run of digits,
/// spaces and `+ - . ( ) /`).
pub fn ensure_plain(text: &str) -> Result<(), NotPlain> {
    let lower = text.to_lowercase();
    if lower.contains("://") || lower.contains("www.") || has_bare_domain(&lower) {
        return Err(NotPlain::Url);
    }
    if text.contains('@') || text.contains('\u{FF20}') {
        return Err(NotPlain::Email);
    }
    let mut digits = 0;
    for c in text.chars() {
        if c.is_ascii_digit() {
            digits += 1;
            if digits >= PHONE_DIGITS {
                return Err(NotPlain::Phone);
            }
        } else if !matches!(c, ' ' | '+' | '-' | '.' | '(' | ')' | '/') {
            digits = 0;
        }
    }
    Ok(())
}

/// `label.tld`: a letter or digit right before a dot that is followed by two or more
/// letters ("evil.example", "bit.ly"); "St. Mary's" and "Dr. Ruiz" have a space after the dot.
fn has_bare_domain(lower: &str) -> bool {
    let chars: Vec<char> = lower.chars().collect();
    chars.iter().enumerate().any(|(i, &c)| {
        c == '.'
            && i > 0
            && (chars[i - 1].is_ascii_alphanumeric() || chars[i - 1] == '-')
            && chars.len() > i + 2
            && chars[i + 1].is_ascii_alphabetic()
            && chars[i + 2].is_ascii_alphabetic()
    })
}

impl DisplayName {
    /// A display name that is also plain (see [`ensure_plain`]).
    pub fn parse_plain(input: &str) -> Result<Self, NotPlain> {
        let name = Self::parse(input).map_err(|_| NotPlain::Length)?;
        ensure_plain(name.as_str())?;
        Ok(name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ordinary_names_are_plain() {
        for name in [
            "Dr. O'Brien-Smith",
            "Maple Clinic 2",
            "St. Mary's",
            "Elm Street Clinic",
            "Dr. Ruiz",
            "Clinic #12, Suite 300",
            "Zoë Müller",
            "Front desk (walk-ins)",
        ] {
            assert!(DisplayName::parse_plain(name).is_ok(), "{name}");
        }
    }

    #[test]
    fn urls_emails_and_phone_numbers_are_refused() {
        for (text, why) in [
            ("Visit https://evil.example now", NotPlain::Url),
            ("http://x", NotPlain::Url),
            ("HTTPS://EVIL.EXAMPLE", NotPlain::Url),
            ("see www.evil", NotPlain::Url),
            ("evil.example", NotPlain::Url),
            ("Go to bit.ly/abc", NotPlain::Url),
            ("Clinic evil.com", NotPlain::Url),
            ("mail ann@x", NotPlain::Email),
            ("a@b", NotPlain::Email),
            ("Call +1-900-555-0100", NotPlain::Phone),
            ("Call (202) 555-0100", NotPlain::Phone),
            ("202.555.0100", NotPlain::Phone),
            ("2025550100", NotPlain::Phone),
            ("+44 20 7946 0958", NotPlain::Phone),
            ("555-0100 x", NotPlain::Phone),
        ] {
            assert_eq!(DisplayName::parse_plain(text).unwrap_err(), why, "{text}");
        }
        assert_eq!(
            DisplayName::parse_plain(&"x".repeat(101)).unwrap_err(),
            NotPlain::Length
        );
    }
}
