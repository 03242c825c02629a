//! A practice's address book: the contact item shared by contacts/invites, signup pairing
//! and standard conversations.

use crate::adapters::dynamo::{self, keys, StoreError};
use crate::app::App;
use crate::domain::contact_info::{DisplayName, EmailAddress, PhoneNumber};
use crate::domain::ids::{AccountId, ContactId, ConversationId, OrgId};
use serde::{Deserialize, Serialize};

/// Derived from the contact's state, never stored independently of it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ContactStatus {
    NotInvited,
    Invited,
    HasAccount,
}

/// `ORG#o` / `CONTACT#ct`; search keys on GSI1 (name), GSI2 (phone), GSI3 (email), all
/// under `ORG#o#CT` (see `keys::contact_search_pk`).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ContactItem {
    pub pk: String,
    pub sk: String,
    pub id: ContactId,
    pub org_id: OrgId,
    pub name: DisplayName,
    pub phone: Option<PhoneNumber>,
    pub email: Option<EmailAddress>,
    /// Set when the patient has an account paired with this practice (absent, never NULL,
    /// so conditions can use `attribute_not_exists`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub account_id: Option<AccountId>,
    /// Set when an invite has been sent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub invited_at: Option<i64>,
    #[serde(default)]
    pub conversation_ids: Vec<ConversationId>,
    pub created_at: i64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gsi1pk: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gsi1sk: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gsi2pk: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gsi2sk: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gsi3pk: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gsi3sk: Option<String>,
}

impl ContactItem {
    pub fn status(&self) -> ContactStatus {
        if self.account_id.is_some() {
            ContactStatus::HasAccount
        } else if self.invited_at.is_some() {
            ContactStatus::Invited
        } else {
            ContactStatus::NotInvited
        }
    }

    pub fn key_for(org: &OrgId, contact: &ContactId) -> dynamo::Item {
        dynamo::key(keys::org_pk(org), keys::contact_sk(contact))
    }
}

/// A contact of this practice (another practice's contact id is simply not found).
pub async fn get(
    app: &App,
    org: &OrgId,
    contact: &ContactId,
) -> Result<Option<ContactItem>, StoreError> {
    let out = app
        .db
        .get_item()
        .table_name(app.table())
        .set_key(Some(ContactItem::key_for(org, contact)))
        .consistent_read(true)
        .send()
        .await?;
    out.item.map(dynamo::from_item).transpose()
}

/// The phone search key: national digits for NANP (`+1`) numbers, so "202555…" finds
/// `+1202555…`; `+` and all digits for other countries (the `+` keeps the two spaces apart).
pub fn phone_key(phone: &PhoneNumber) -> String {
    let e164 = phone.as_str();
    match e164.strip_prefix("+1") {
        Some(national) => national.to_string(),
        None => e164.to_string(),
    }
}

/// The email search key: the whole address lower-cased (search is case-insensitive).
pub fn email_key(email: &EmailAddress) -> String {
    email.as_str().to_lowercase()
}

impl ContactItem {
    /// A new contact with its three search keys (absent details have no index entry).
    pub fn new(
        org: &OrgId,
        id: ContactId,
        name: DisplayName,
        phone: Option<PhoneNumber>,
        email: Option<EmailAddress>,
        now: i64,
    ) -> Self {
        let search = keys::contact_search_pk(org);
        Self {
            pk: keys::org_pk(org),
            sk: keys::contact_sk(&id),
            id,
            org_id: *org,
            gsi1pk: Some(search.clone()),
            gsi1sk: Some(keys::contact_name_sk(&name.search_key(), &id)),
            gsi2pk: phone.as_ref().map(|_| search.clone()),
            gsi2sk: phone
                .as_ref()
                .map(|p| keys::contact_phone_sk(&phone_key(p), &id)),
            gsi3pk: email.as_ref().map(|_| search.clone()),
            gsi3sk: email
                .as_ref()
                .map(|e| keys::contact_email_sk(&email_key(e), &id)),
            name,
            phone,
            email,
            account_id: None,
            invited_at: None,
            conversation_ids: Vec::new(),
            created_at: now,
        }
    }

    /// The contact as the API shows it (to the practice's staff only).
    pub fn view(&self) -> serde_json::Value {
        serde_json::json!({
            "id": self.id,
            "name": self.name.as_str(),
            "phone": self.phone.as_ref().map(PhoneNumber::as_str),
            "email": self.email.as_ref().map(EmailAddress::as_str),
            "status": self.status(),
            "account_id": self.account_id,
            "conversation_ids": self.conversation_ids,
            "invited_at": self.invited_at.map(crate::domain::time::rfc3339),
            "created_at": crate::domain::time::rfc3339(self.created_at),
        })
    }
}

/// Which search index a query string goes to, and the sort-key prefix to look for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SearchPlan {
    pub index: &'static str,
    pub pk_attr: &'static str,
    pub sk_attr: &'static str,
    pub prefix: String,
}

/// Picks the index by the shape of `q`: an `@` → email; only digits and `+()-. ` with at
/// least one digit → phone; anything else (or nothing) → name. One Query serves each.
pub fn search_plan(q: Option<&str>) -> SearchPlan {
    let q = q.map(str::trim).unwrap_or("");
    let by = |index, n: u8, prefix: String| SearchPlan {
        index,
        pk_attr: ["gsi1pk", "gsi2pk", "gsi3pk"][usize::from(n - 1)],
        sk_attr: ["gsi1sk", "gsi2sk", "gsi3sk"][usize::from(n - 1)],
        prefix,
    };
    if q.contains('@') {
        return by(
            keys::GSI3,
            3,
            format!("{}{}", keys::CONTACT_EMAIL_PREFIX, q.to_lowercase()),
        );
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
        return by(
            keys::GSI2,
            2,
            format!("{}{key}", keys::CONTACT_PHONE_PREFIX),
        );
    }
    by(
        keys::GSI1,
        1,
        format!("{}{}", keys::CONTACT_NAME_PREFIX, q.to_lowercase()),
    )
}

/// The practice's contacts with exactly this phone number (GSI2, one Query).
pub async fn with_phone(
    app: &App,
    org: &OrgId,
    phone: &PhoneNumber,
) -> Result<Vec<ContactItem>, StoreError> {
    exact(
        app,
        org,
        keys::GSI2,
        "gsi2pk",
        "gsi2sk",
        format!("{}{}#", keys::CONTACT_PHONE_PREFIX, phone_key(phone)),
    )
    .await
}

/// The practice's contacts with exactly this email address (GSI3, one Query).
pub async fn with_email(
    app: &App,
    org: &OrgId,
    email: &EmailAddress,
) -> Result<Vec<ContactItem>, StoreError> {
    exact(
        app,
        org,
        keys::GSI3,
        "gsi3pk",
        "gsi3sk",
        format!("{}{}#", keys::CONTACT_EMAIL_PREFIX, email_key(email)),
    )
    .await
}

async fn exact(
    app: &App,
    org: &OrgId,
    index: &str,
    pk_attr: &str,
    sk_attr: &str,
    prefix: String,
) -> Result<Vec<ContactItem>, StoreError> {
    let out = app
        .db
        .query()
        .table_name(app.table())
        .index_name(index)
        .key_condition_expression("#pk = :pk AND begins_with(#sk, :prefix)")
        .expression_attribute_names("#pk", pk_attr)
        .expression_attribute_names("#sk", sk_attr)
        .expression_attribute_values(":pk", dynamo::s(keys::contact_search_pk(org)))
        .expression_attribute_values(":prefix", dynamo::s(prefix))
        .limit(25)
        .send()
        .await?;
    dynamo::from_items(out.items.unwrap_or_default())
}

/// How a link signup's details compare with the practice's contacts.
///
/// `matched`: a contact has this phone and the same email, where "no email given" equals
/// "no email on file" (a contact with an email on file and a signup without one is a
/// mismatch: the practice has a detail it cannot confirm). `mismatch`: a contact shares the
/// phone or the email but not both. `none`: no contact shares either.
pub fn contact_match<'a>(
    candidates: &'a [ContactItem],
    phone: &PhoneNumber,
    email: Option<&EmailAddress>,
) -> (crate::conversations::ContactMatch, Option<&'a ContactItem>) {
    use crate::conversations::ContactMatch;
    let same_email = |c: &ContactItem| match (c.email.as_ref(), email) {
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
    use crate::conversations::ContactMatch;

    fn contact(phone: Option<&str>, email: Option<&str>) -> ContactItem {
        ContactItem::new(
            &OrgId::generate(),
            ContactId::generate(),
            DisplayName::parse("Ann Lee").unwrap(),
            phone.map(|p| PhoneNumber::parse(p).unwrap()),
            email.map(|e| EmailAddress::parse(e).unwrap()),
            0,
        )
    }

    #[test]
    fn query_shape_picks_the_index() {
        assert_eq!(search_plan(Some("Ann@Ex")).index, keys::GSI3);
        assert_eq!(search_plan(Some("Ann@Ex")).prefix, "e#ann@ex");
        assert_eq!(search_plan(Some("(202) 555")).prefix, "p#202555");
        assert_eq!(search_plan(Some("+1 202")).prefix, "p#202");
        assert_eq!(search_plan(Some("+44 20")).prefix, "p#+4420");
        assert_eq!(search_plan(Some("Ann L")).prefix, "n#ann l");
        assert_eq!(search_plan(Some("Ann L")).index, keys::GSI1);
        assert_eq!(search_plan(None).prefix, "n#");
    }

    #[test]
    fn phone_keys_agree_with_search_prefixes() {
        let c = contact(Some("+1 202 555 0123"), None);
        assert!(c
            .gsi2sk
            .as_deref()
            .unwrap()
            .starts_with(&search_plan(Some("202-555")).prefix));
        let uk = contact(Some("+44 20 7946 0958"), None);
        assert!(uk
            .gsi2sk
            .as_deref()
            .unwrap()
            .starts_with(&search_plan(Some("+44 20 79")).prefix));
        assert!(contact(None, Some("a@b.com")).gsi2sk.is_none());
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
