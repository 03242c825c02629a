//! Practices, their staff, and accounts: the items and the reads several functions share
//! (auth signs staff in, members manages them, the authorizer checks them on every call).

use crate::adapters::dynamo::{self, keys, s, StoreError};
use crate::app::App;
use crate::domain::contact_info::{DisplayName, EmailAddress, PhoneNumber};
use crate::domain::ids::{AccountId, LinkId, OrgId};
use crate::domain::role::Role;
use crate::domain::time::rfc3339;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct OrgItem {
    pub pk: String,
    pub sk: String,
    pub id: OrgId,
    pub name: DisplayName,
    /// Owners left; removing an owner decrements it with a `> 1` condition, so the last
    /// owner can never be removed, even by two concurrent removals.
    pub owner_count: i64,
    pub created_at: i64,
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
    /// Invited teammates become active when they first prove their email with a code.
    #[serde(default)]
    pub status: MemberStatus,
    pub created_at: i64,
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

impl MemberItem {
    pub fn new(
        org: &OrgId,
        account: &AccountId,
        name: DisplayName,
        email: EmailAddress,
        role: Role,
        status: MemberStatus,
        now: i64,
    ) -> Self {
        Self {
            pk: keys::org_pk(org),
            sk: keys::member_sk(account),
            gsi1pk: keys::account_pk(account),
            gsi1sk: keys::org_pk(org),
            account_id: *account,
            org_id: *org,
            name,
            email,
            role,
            status,
            created_at: now,
        }
    }

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
    pub fn key(account: &AccountId) -> dynamo::Item {
        dynamo::key(keys::account_pk(account), keys::PROFILE_SK)
    }
}

/// The uniqueness item for a login identifier (staff email, patient phone).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct LoginItem {
    pub pk: String,
    pub sk: String,
    pub account_id: AccountId,
}

pub async fn get_account(
    app: &App,
    account: &AccountId,
) -> Result<Option<AccountItem>, StoreError> {
    let out = app
        .db
        .get_item()
        .table_name(app.table())
        .set_key(Some(AccountItem::key(account)))
        .send()
        .await?;
    out.item.map(dynamo::from_item).transpose()
}

pub async fn get_login(app: &App, login_pk: String) -> Result<Option<LoginItem>, StoreError> {
    let out = app
        .db
        .get_item()
        .table_name(app.table())
        .set_key(Some(dynamo::key(login_pk, keys::LOGIN_SK)))
        .consistent_read(true)
        .send()
        .await?;
    out.item.map(dynamo::from_item).transpose()
}

pub async fn get_member(
    app: &App,
    org: &OrgId,
    account: &AccountId,
) -> Result<Option<MemberItem>, StoreError> {
    let out = app
        .db
        .get_item()
        .table_name(app.table())
        .set_key(Some(dynamo::key(
            keys::org_pk(org),
            keys::member_sk(account),
        )))
        .consistent_read(true)
        .send()
        .await?;
    out.item.map(dynamo::from_item).transpose()
}

pub async fn get_org(app: &App, org: &OrgId) -> Result<Option<OrgItem>, StoreError> {
    let out = app
        .db
        .get_item()
        .table_name(app.table())
        .set_key(Some(dynamo::key(keys::org_pk(org), keys::ORG_META_SK)))
        .send()
        .await?;
    out.item.map(dynamo::from_item).transpose()
}

/// Every member of a practice (practices have tens of staff, so pages are followed here).
pub async fn list_members(app: &App, org: &OrgId) -> Result<Vec<MemberItem>, StoreError> {
    let query = app
        .db
        .query()
        .table_name(app.table())
        .key_condition_expression("pk = :pk AND begins_with(sk, :prefix)")
        .expression_attribute_values(":pk", s(keys::org_pk(org)))
        .expression_attribute_values(":prefix", s(keys::MEMBER_PREFIX));
    dynamo::query_all(query).await
}

/// The routing part of a practice link, as the authorizer needs it.
#[derive(Debug, Clone, Deserialize)]
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

/// The practice's links (id and members only), for computing what a staff member may see.
/// Read from GSI1, so a membership change shows here within the index's propagation delay
/// (typically well under a second); removing a teammate is immediate (see the authorizer).
pub async fn list_link_access(app: &App, org: &OrgId) -> Result<Vec<LinkAccess>, StoreError> {
    let query = app
        .db
        .query()
        .table_name(app.table())
        .index_name(keys::GSI1)
        .key_condition_expression("gsi1pk = :pk AND begins_with(gsi1sk, :prefix)")
        .expression_attribute_values(":pk", s(keys::org_links_pk(org)))
        .expression_attribute_values(":prefix", s(keys::LINK_PREFIX))
        .projection_expression("#id, #members")
        .expression_attribute_names("#id", "id")
        .expression_attribute_names("#members", "member_ids");
    dynamo::query_all(query).await
}

/// A practice's invitation of a teammate by email: `STAFFINV#<email, lower-cased>` /
/// `ORG#o`. Adding a teammate writes this, never the global login alias: an email becomes a
/// staff login only when its owner proves it with a code (so no practice can reserve, or
/// probe for, another practice's staff addresses).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct StaffInviteItem {
    pub pk: String,
    pub sk: String,
    pub account_id: AccountId,
    pub org_id: OrgId,
    pub created_at: i64,
}

impl StaffInviteItem {
    pub fn new(email: &EmailAddress, org: &OrgId, account: &AccountId, now: i64) -> Self {
        Self {
            pk: keys::staff_invite_pk(email),
            sk: keys::org_pk(org),
            account_id: *account,
            org_id: *org,
            created_at: now,
        }
    }
}

/// The practices that invited this email and are waiting for it to be claimed.
pub async fn staff_invites(
    app: &App,
    email: &EmailAddress,
) -> Result<Vec<StaffInviteItem>, StoreError> {
    let query = app
        .db
        .query()
        .table_name(app.table())
        .key_condition_expression("pk = :pk")
        .expression_attribute_values(":pk", s(keys::staff_invite_pk(email)))
        .consistent_read(true);
    dynamo::query_all(query).await
}
