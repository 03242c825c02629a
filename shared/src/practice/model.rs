//! The practice aggregate's model: practices, their staff (members and pending staff
//! invitations), and accounts with their login identifiers. No table keys here; the items
//! that store these live in `adapters::dynamo::practice`.

use crate::domain::contact_info::{DisplayName, EmailAddress, PhoneNumber};
use crate::domain::ids::{AccountId, LinkId, OrgId};
use crate::domain::role::Role;
use crate::domain::time::rfc3339;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Practice {
    pub id: OrgId,
    pub name: DisplayName,
    /// Owners left; removing an owner decrements it only while it is above one, so the last
    /// owner can never be removed, even by two concurrent removals.
    pub owner_count: i64,
    pub created_at: i64,
    /// The practice's own number for standard SMS conversations, taken from the pool when
    /// the practice was created; None when the pool was empty then (see
    /// [`crate::practice::channels`]).
    pub sms_number: Option<PhoneNumber>,
    /// The practice's own address for standard email conversations (replies come back to
    /// it, with the conversation's token after a `+`).
    pub reply_email: Option<EmailAddress>,
    /// `settings.unread_reminder_minutes`: None means never remind.
    pub unread_reminder_minutes: Option<u32>,
}

impl Practice {
    /// The practice as `GET /v1/org` shows it.
    pub fn view(&self) -> serde_json::Value {
        serde_json::json!({
            "id": self.id,
            "name": self.name.as_str(),
            "sms_number": self.sms_number.as_ref().map(|p| p.as_str()),
            "reply_email": self.reply_email.as_ref().map(|e| e.as_str()),
            "settings": {"unread_reminder_minutes": self.unread_reminder_minutes},
        })
    }
}

/// Whether a teammate has claimed their email yet.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MemberStatus {
    /// Added by an owner/admin; the email is not theirs until a code proves it.
    Invited,
    #[default]
    Active,
}

/// A staff member of a practice.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Member {
    pub account_id: AccountId,
    pub org_id: OrgId,
    pub name: DisplayName,
    pub email: EmailAddress,
    pub role: Role,
    pub status: MemberStatus,
    pub created_at: i64,
}

impl Member {
    /// The member as the API shows it.
    pub fn view(&self) -> MemberView {
        MemberView {
            id: self.account_id,
            name: self.name.as_str().to_string(),
            email: self.email.as_str().to_string(),
            role: self.role,
            status: self.status,
            org_id: self.org_id,
            created_at: rfc3339(self.created_at),
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct MemberView {
    pub id: AccountId,
    pub name: String,
    pub email: String,
    pub role: Role,
    pub status: MemberStatus,
    pub org_id: OrgId,
    pub created_at: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AccountKind {
    Staff,
    Patient,
}

/// A person's account. Staff accounts belong to one practice; patient accounts are one
/// per phone number and may be paired with several practices.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Account {
    pub id: AccountId,
    pub kind: AccountKind,
    pub name: DisplayName,
    pub email: Option<EmailAddress>,
    pub phone: Option<PhoneNumber>,
    pub org_id: Option<OrgId>,
    pub created_at: i64,
}

impl Account {
    /// A staff account of `org`.
    pub fn staff(
        id: AccountId,
        org: OrgId,
        name: DisplayName,
        email: EmailAddress,
        now: i64,
    ) -> Self {
        Self {
            id,
            kind: AccountKind::Staff,
            name,
            email: Some(email),
            phone: None,
            org_id: Some(org),
            created_at: now,
        }
    }
}

/// What a person signs in with; each is unique (one staff account per email, one patient
/// account per phone number).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Login {
    StaffEmail(EmailAddress),
    PatientPhone(PhoneNumber),
}

/// A practice's pending invitation of a teammate's email: written when an owner adds a
/// teammate, never the global login (an email becomes a staff login only when its owner
/// proves it with a code, so no practice can reserve, or probe for, another practice's
/// staff addresses). Serialised into a sign-in challenge's payload.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StaffInvite {
    pub account_id: AccountId,
    pub org_id: OrgId,
    pub created_at: i64,
}

/// The routing part of a practice link, as the authorizer needs it.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct LinkAccess {
    pub id: LinkId,
    #[serde(default)]
    pub member_ids: Vec<AccountId>,
}

impl LinkAccess {
    /// An empty member list means the whole team.
    pub fn admits(&self, account: &AccountId) -> bool {
        self.member_ids.is_empty() || self.member_ids.contains(account)
    }
}
