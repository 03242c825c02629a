//! The practice aggregate's items: the model plus the keys that place it in the table.

use crate::adapters::dynamo::{key, keys, Item};
use crate::domain::contact_info::{DisplayName, EmailAddress, PhoneNumber};
use crate::domain::ids::{AccountId, OrgId};
use crate::domain::role::Role;
use crate::practice::model::{
    Account, AccountKind, Member, MemberStatus, MemberView, Practice, StaffInvite,
};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct OrgItem {
    pub pk: String,
    pub sk: String,
    pub id: OrgId,
    pub name: DisplayName,
    pub owner_count: i64,
    pub created_at: i64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sms_number: Option<PhoneNumber>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reply_email: Option<EmailAddress>,
    /// Absent: the default (60); NULL: never (what the stream consumer reads too).
    #[serde(default = "default_reminder_minutes")]
    pub unread_reminder_minutes: Option<u32>,
    /// True on every practice created since each link's `member_ids` is mirrored on this
    /// item (`link_access_<id>`, [`keys::link_access_attr`], written by the link's own
    /// transactions): then those attributes are the whole truth. Absent (false) on older
    /// practices, whose callers' links are still read with a Query of the links.
    #[serde(default)]
    pub links_mirrored: bool,
}

fn default_reminder_minutes() -> Option<u32> {
    Some(crate::notifications::model::DEFAULT_REMINDER_MINUTES)
}

impl OrgItem {
    pub fn new(practice: &Practice) -> Self {
        Self {
            pk: keys::org_pk(&practice.id),
            sk: keys::ORG_META_SK.into(),
            id: practice.id,
            name: practice.name.clone(),
            owner_count: practice.owner_count,
            created_at: practice.created_at,
            sms_number: practice.sms_number.clone(),
            reply_email: practice.reply_email.clone(),
            unread_reminder_minutes: practice.unread_reminder_minutes,
            links_mirrored: true,
        }
    }

    pub fn into_practice(self) -> Practice {
        Practice {
            id: self.id,
            name: self.name,
            owner_count: self.owner_count,
            created_at: self.created_at,
            sms_number: self.sms_number,
            reply_email: self.reply_email,
            unread_reminder_minutes: self.unread_reminder_minutes,
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct MemberItem {
    pub pk: String,
    pub sk: String,
    /// GSI1: `ACCT#a` / `ORG#o`: which practice an account is staff of.
    pub gsi1pk: String,
    pub gsi1sk: String,
    pub account_id: AccountId,
    pub org_id: OrgId,
    pub name: DisplayName,
    pub email: EmailAddress,
    pub role: Role,
    #[serde(default)]
    pub status: MemberStatus,
    pub created_at: i64,
}

impl MemberItem {
    pub fn new(member: &Member) -> Self {
        Self {
            pk: keys::org_pk(&member.org_id),
            sk: keys::member_sk(&member.account_id),
            gsi1pk: keys::account_pk(&member.account_id),
            gsi1sk: keys::org_pk(&member.org_id),
            account_id: member.account_id,
            org_id: member.org_id,
            name: member.name.clone(),
            email: member.email.clone(),
            role: member.role,
            status: member.status,
            created_at: member.created_at,
        }
    }

    pub fn key(org: &OrgId, account: &AccountId) -> Item {
        key(keys::org_pk(org), keys::member_sk(account))
    }

    pub fn into_member(self) -> Member {
        Member {
            account_id: self.account_id,
            org_id: self.org_id,
            name: self.name,
            email: self.email,
            role: self.role,
            status: self.status,
            created_at: self.created_at,
        }
    }

    /// The member as the API shows it.
    pub fn view(&self) -> MemberView {
        self.clone().into_member().view()
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct AccountItem {
    pub pk: String,
    pub sk: String,
    pub id: AccountId,
    pub kind: AccountKind,
    pub name: DisplayName,
    pub email: Option<EmailAddress>,
    pub phone: Option<PhoneNumber>,
    pub org_id: Option<OrgId>,
    pub created_at: i64,
}

impl AccountItem {
    pub fn new(account: &Account) -> Self {
        Self {
            pk: keys::account_pk(&account.id),
            sk: keys::PROFILE_SK.into(),
            id: account.id,
            kind: account.kind,
            name: account.name.clone(),
            email: account.email.clone(),
            phone: account.phone.clone(),
            org_id: account.org_id,
            created_at: account.created_at,
        }
    }

    pub fn key(account: &AccountId) -> Item {
        key(keys::account_pk(account), keys::PROFILE_SK)
    }

    pub fn into_account(self) -> Account {
        Account {
            id: self.id,
            kind: self.kind,
            name: self.name,
            email: self.email,
            phone: self.phone,
            org_id: self.org_id,
            created_at: self.created_at,
        }
    }
}

/// The uniqueness item for a login identifier (staff email, patient phone).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct LoginItem {
    pub pk: String,
    pub sk: String,
    pub account_id: AccountId,
}

impl LoginItem {
    pub fn staff_email(email: &EmailAddress, account: &AccountId) -> Self {
        Self {
            pk: keys::staff_email_login_pk(email),
            sk: keys::LOGIN_SK.into(),
            account_id: *account,
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct StaffInviteItem {
    pub pk: String,
    pub sk: String,
    pub account_id: AccountId,
    pub org_id: OrgId,
    pub created_at: i64,
}

impl StaffInviteItem {
    pub fn new(email: &EmailAddress, invite: &StaffInvite) -> Self {
        Self {
            pk: keys::staff_invite_pk(email),
            sk: keys::org_pk(&invite.org_id),
            account_id: invite.account_id,
            org_id: invite.org_id,
            created_at: invite.created_at,
        }
    }

    pub fn key(email: &EmailAddress, org: &OrgId) -> Item {
        key(keys::staff_invite_pk(email), keys::org_pk(org))
    }

    pub fn into_invite(self) -> StaffInvite {
        StaffInvite {
            account_id: self.account_id,
            org_id: self.org_id,
            created_at: self.created_at,
        }
    }
}
