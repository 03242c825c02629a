//! A practice's contact (an address-book entry for a patient) as the domain sees it: no
//! table keys. The search keys it is found by are the adapter's (`adapters::dynamo::contacts`),
//! built from [`phone_key`] and [`email_key`].

use crate::domain::contact_info::{DisplayName, EmailAddress, PhoneNumber};
use crate::domain::ids::{AccountId, ContactId, ConversationId, OrgId};
use crate::domain::time::rfc3339;
use serde::{Deserialize, Serialize};

/// Derived from the contact's state, never stored independently of it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ContactStatus {
    NotInvited,
    Invited,
    HasAccount,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Contact {
    pub id: ContactId,
    pub org_id: OrgId,
    pub name: DisplayName,
    pub phone: Option<PhoneNumber>,
    pub email: Option<EmailAddress>,
    /// Set when the patient has an account paired with this practice.
    pub account_id: Option<AccountId>,
    /// Set when an invite has been sent.
    pub invited_at: Option<i64>,
    pub conversation_ids: Vec<ConversationId>,
    pub created_at: i64,
}

impl Contact {
    /// A new contact, not invited, without an account.
    pub fn new(
        org: &OrgId,
        id: ContactId,
        name: DisplayName,
        phone: Option<PhoneNumber>,
        email: Option<EmailAddress>,
        now: i64,
    ) -> Self {
        Self {
            id,
            org_id: *org,
            name,
            phone,
            email,
            account_id: None,
            invited_at: None,
            conversation_ids: Vec::new(),
            created_at: now,
        }
    }

    pub fn status(&self) -> ContactStatus {
        if self.account_id.is_some() {
            ContactStatus::HasAccount
        } else if self.invited_at.is_some() {
            ContactStatus::Invited
        } else {
            ContactStatus::NotInvited
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
            "invited_at": self.invited_at.map(rfc3339),
            "created_at": rfc3339(self.created_at),
        })
    }
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
