//! Validated contact details: phone numbers (stored as E.164) and email addresses.

use super::phone;
use serde::{Deserialize, Serialize};
use std::fmt;

/// A phone number in E.164 form (`+12025550123`). Parsed by Canopy's own parser
/// (`domain::phone`: libphonenumber's metadata, the algorithm of the `phonenumber` crate it
/// replaced, proven equal to it over a generated corpus), so "(202) 555-0123",
/// "202.555.0123" and "+1 202 555 0123" all become the same number. Numbers without a
/// country code are read as US numbers.
#[derive(Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct PhoneNumber(String);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("not a valid phone number")]
pub struct BadPhone;

/// Where numbers typed without a country code are taken to be.
const DEFAULT_REGION: &str = "US";

impl PhoneNumber {
    pub fn parse(input: &str) -> Result<Self, BadPhone> {
        let trimmed = input.trim();
        if trimmed.is_empty() || trimmed.len() > 32 {
            return Err(BadPhone);
        }
        phone::parse_e164(trimmed, DEFAULT_REGION)
            .map(Self)
            .ok_or(BadPhone)
    }

    /// For values read back from the table, which were validated when written.
    pub fn from_trusted(e164: String) -> Self {
        Self(e164)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The number's country (ISO 3166 alpha-2, e.g. `US`, `JM` for +1 876), as
    /// libphonenumber's metadata assigns it; `None` when no country claims it (and for
    /// non-geographic codes such as +800).
    pub fn country(&self) -> Option<String> {
        phone::region_of_e164(&self.0).map(str::to_string)
    }
}

impl fmt::Debug for PhoneNumber {
    /// Phone numbers are PHI: debug output (and so logs) shows only the last two digits.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let tail = &self.0[self.0.len().saturating_sub(2)..];
        write!(f, "PhoneNumber(…{tail})")
    }
}

/// An email address: trimmed, domain lower-cased, one `@`, something on both sides,
/// a dot in the domain, at most 254 characters. Deliverability is proven by the code we send.
#[derive(Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct EmailAddress(String);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("not a valid email address")]
pub struct BadEmail;

impl EmailAddress {
    pub fn parse(input: &str) -> Result<Self, BadEmail> {
        let trimmed = input.trim();
        if trimmed.len() > 254 || trimmed.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return Err(BadEmail);
        }
        let (local, domain) = trimmed.rsplit_once('@').ok_or(BadEmail)?;
        let domain_ok = !domain.is_empty()
            && domain.contains('.')
            && !domain.starts_with('.')
            && !domain.ends_with('.')
            && !domain.contains("..")
            && domain
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '-');
        if !dot_atom(local) || !domain_ok {
            return Err(BadEmail);
        }
        Ok(Self(format!("{local}@{}", domain.to_ascii_lowercase())))
    }

    pub fn from_trusted(value: String) -> Self {
        Self(value)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// An unquoted local part as mail systems (SES among them) accept it: RFC 5322's dot-atom,
/// 1–64 characters of letters, digits and ``! # $ % & ' * + - / = ? ^ _ ` { | } ~``, with
/// dots only between them (none leading, trailing or doubled).
fn dot_atom(local: &str) -> bool {
    !local.is_empty()
        && local.len() <= 64
        && !local.starts_with('.')
        && !local.ends_with('.')
        && !local.contains("..")
        && local
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '.' || "!#$%&'*+-/=?^_`{|}~".contains(c))
}

impl fmt::Debug for EmailAddress {
    /// Email addresses are PHI: debug output shows only the domain.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let domain = self.0.rsplit_once('@').map(|(_, d)| d).unwrap_or("");
        write!(f, "EmailAddress(…@{domain})")
    }
}

/// A person's or practice's display name: trimmed, 1–100 characters, no control characters.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct DisplayName(String);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("must be 1 to 100 characters without control characters")]
pub struct BadName;

impl DisplayName {
    pub const MAX_CHARS: usize = 100;

    pub fn parse(input: &str) -> Result<Self, BadName> {
        let trimmed = input.trim();
        let chars = trimmed.chars().count();
        if chars == 0 || chars > Self::MAX_CHARS || trimmed.chars().any(char::is_control) {
            return Err(BadName);
        }
        Ok(Self(trimmed.to_string()))
    }

    pub fn from_trusted(value: String) -> Self {
        Self(value)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Lower-cased form used for prefix search keys.
    pub fn search_key(&self) -> String {
        self.0.to_lowercase()
    }
}

impl fmt::Debug for DisplayName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "DisplayName(…)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phone_numbers_in_common_forms_become_e164() {
        for input in [
            "(202) 555-0123",
            "202.555.0123",
            "+1 202 555 0123",
            "2025550123",
        ] {
            assert_eq!(
                PhoneNumber::parse(input).unwrap().as_str(),
                "+12025550123",
                "{input}"
            );
        }
        assert_eq!(
            PhoneNumber::parse("+44 20 7946 0958").unwrap().as_str(),
            "+442079460958"
        );
    }

    #[test]
    fn junk_phone_numbers_are_refused() {
        for input in [
            "",
            "12",
            "abc",
            "+1 555",
            "555-555-55555555555555555555555555",
        ] {
            assert!(PhoneNumber::parse(input).is_err(), "{input}");
        }
    }

    #[test]
    fn emails_are_trimmed_and_domain_lower_cased() {
        assert_eq!(
            EmailAddress::parse("  Ann.Lee@Example.COM ")
                .unwrap()
                .as_str(),
            "Ann.Lee@example.com"
        );
        for bad in [
            "",
            "a",
            "a@",
            "@b.com",
            "a@b",
            "a b@c.com",
            "a@b..com",
            "a@.b.com",
        ] {
            assert!(EmailAddress::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn email_local_parts_are_dot_atoms() {
        for bad in [
            "a(b@example.com",
            "a)b@example.com",
            "a,b@example.com",
            "a;b@example.com",
            "a[b@example.com",
            "a]b@example.com",
            "a<b@example.com",
            "a>b@example.com",
            "a:b@example.com",
            "a\\b@example.com",
            "\"ab\"@example.com",
            ".ab@example.com",
            "ab.@example.com",
            "a..b@example.com",
            "é@example.com",
        ] {
            assert!(EmailAddress::parse(bad).is_err(), "{bad}");
        }
        for good in [
            "a.b@example.com",
            "o'brien+tag@example.com",
            "x!#$%&*-/=?^_`{|}~@example.com",
        ] {
            assert!(EmailAddress::parse(good).is_ok(), "{good}");
        }
    }

    #[test]
    fn debug_output_hides_personal_details() {
        let phone = PhoneNumber::parse("2025550123").unwrap();
        let email = EmailAddress::parse("ann@example.com").unwrap();
        let name = DisplayName::parse("Ann Lee").unwrap();
        let shown = format!("{phone:?} {email:?} {name:?}");
        assert!(!shown.contains("555012"));
        assert!(!shown.contains("ann@"));
        assert!(!shown.contains("Ann"));
    }

    #[test]
    fn names_are_bounded() {
        assert!(DisplayName::parse("  ").is_err());
        assert!(DisplayName::parse(&"x".repeat(101)).is_err());
        assert!(DisplayName::parse("a\u{0}b").is_err());
        assert_eq!(
            DisplayName::parse(" Dr. Ruiz ").unwrap().as_str(),
            "Dr. Ruiz"
        );
    }
}
