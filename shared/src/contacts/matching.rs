//! Matching a link signup against the practice's address book (the practice then sees
//! `contact_match` on the conversation and confirms or merges).

use super::model::{email_key, Contact};
use crate::conversations::ContactMatch;
use crate::domain::contact_info::{EmailAddress, PhoneNumber};

/// How a link signup's details compare with the practice's contacts.
///
/// `matched`: a contact has this phone and the same email, where "no email given" equals
/// "no email on file" (a contact with an email on file and a signup without one is a
/// mismatch: the practice has a detail it cannot confirm). `mismatch`: a contact shares the
/// phone or the email but not both. `none`: no contact shares either.
pub fn contact_match<'a>(
    candidates: &'a [Contact],
    phone: &PhoneNumber,
    email: Option<&EmailAddress>,
) -> (ContactMatch, Option<&'a Contact>) {
    let same_email = |c: &Contact| match (c.email.as_ref(), email) {
        (None, None) => true,
        (Some(a), Some(b)) => email_key(a) == email_key(b),
        _ => false,
    };
    if let Some(hit) = candidates
        .iter()
        .find(|c| c.phone.as_ref() == Some(phone) && same_email(c))
    {
        return (ContactMatch::Matched, Some(hit));
    }
    let shares = candidates.iter().any(|c| {
        c.phone.as_ref() == Some(phone) || (email.is_some() && c.email.is_some() && same_email(c))
    });
    if shares {
        (ContactMatch::Mismatch, None)
    } else {
        (ContactMatch::None, None)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::contact_info::DisplayName;
    use crate::domain::ids::{ContactId, OrgId};

    fn contact(phone: Option<&str>, email: Option<&str>) -> Contact {
        Contact::new(
            &OrgId::generate(),
            ContactId::generate(),
            DisplayName::parse("Ann Lee").unwrap(),
            phone.map(|p| PhoneNumber::parse(p).unwrap()),
            email.map(|e| EmailAddress::parse(e).unwrap()),
            0,
        )
    }

    #[test]
    fn contact_match_cases() {
        let phone = PhoneNumber::parse("2025550123").unwrap();
        let email = EmailAddress::parse("ann@example.com").unwrap();
        let both = [contact(Some("2025550123"), Some("Ann@Example.com"))];
        assert_eq!(
            contact_match(&both, &phone, Some(&email)).0,
            ContactMatch::Matched
        );
        let other_email = [contact(Some("2025550123"), Some("x@example.com"))];
        assert_eq!(
            contact_match(&other_email, &phone, Some(&email)).0,
            ContactMatch::Mismatch
        );
        let other_phone = [contact(Some("2025550199"), Some("ann@example.com"))];
        assert_eq!(
            contact_match(&other_phone, &phone, Some(&email)).0,
            ContactMatch::Mismatch
        );
        assert_eq!(
            contact_match(&[], &phone, Some(&email)).0,
            ContactMatch::None
        );
        let phone_only = [contact(Some("2025550123"), None)];
        assert_eq!(
            contact_match(&phone_only, &phone, None).0,
            ContactMatch::Matched
        );
        assert_eq!(contact_match(&both, &phone, None).0, ContactMatch::Mismatch);
    }
}
