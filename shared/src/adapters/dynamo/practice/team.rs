//! [`TeamStore`] for [`Dynamo`]: reads of practices, members and links; adding and
//! removing a member, each one transaction with its audit item.

use super::items::{AccountItem, MemberItem, OrgItem, StaffInviteItem};
use crate::access::audit::AuditEvent;
use crate::adapters::dynamo::access::{bump_access_version, get_item};
use crate::adapters::dynamo::{key, keys, n, query_all, s, Dynamo, Expr, StoreError, Tx, TxError};
use crate::domain::ids::{AccountId, OrgId};
use crate::domain::role::Role;
use crate::ports::practice::{AddMemberRefused, PracticeChange, RemoveMemberRefused, TeamStore};
use crate::practice::model::{
    Account, LinkAccess, Login, Member, MemberStatus, Practice, StaffInvite,
};
use async_trait::async_trait;

/// The login alias's partition key.
pub(super) fn login_pk(login: &Login) -> String {
    match login {
        Login::StaffEmail(email) => keys::staff_email_login_pk(email),
        Login::PatientPhone(phone) => keys::patient_phone_login_pk(phone),
    }
}

/// A refusal no use case expects (a fresh id that already exists): a bug, answered 500.
pub(super) fn unexpected(slot: &str) -> StoreError {
    StoreError::Other(format!("unexpected refusal of `{slot}`"))
}

#[async_trait]
impl TeamStore for Dynamo {
    async fn practice(&self, org: &OrgId) -> Result<Option<Practice>, StoreError> {
        // Consistent: `PATCH /v1/org` answers what it just wrote.
        let item: Option<OrgItem> =
            get_item(self, keys::org_pk(org), keys::ORG_META_SK, true).await?;
        Ok(item.map(OrgItem::into_practice))
    }

    async fn change_practice(
        &self,
        org: &OrgId,
        change: &PracticeChange,
        audit: &AuditEvent<'_>,
        now: i64,
    ) -> Result<bool, StoreError> {
        let mut e = Expr::present();
        let mut sets = Vec::new();
        if let Some(name) = &change.name {
            e.name("#name", "name").value(":name", s(name.as_str()));
            sets.push("#name = :name");
        }
        if let Some(minutes) = change.unread_reminder_minutes {
            let value = match minutes {
                Some(m) => n(i64::from(m)),
                // NULL, not absent: absent means the default (60).
                None => aws_sdk_dynamodb::types::AttributeValue::Null(true),
            };
            e.name("#urm", "unread_reminder_minutes")
                .value(":urm", value);
            sets.push("#urm = :urm");
        }
        if sets.is_empty() {
            return Ok(true);
        }
        let mut tx = Tx::new();
        tx.update(
            "practice",
            key(keys::org_pk(org), keys::ORG_META_SK),
            format!("SET {}", sets.join(", ")),
            e,
        )?
        .audit(audit, now)?;
        match self.commit(tx).await {
            Ok(()) => Ok(true),
            Err(TxError::Refused("practice")) => Ok(false),
            Err(TxError::Refused(slot)) => Err(unexpected(slot)),
            Err(TxError::Store(e)) => Err(e),
        }
    }

    async fn member(&self, org: &OrgId, account: &AccountId) -> Result<Option<Member>, StoreError> {
        let item: Option<MemberItem> =
            get_item(self, keys::org_pk(org), &keys::member_sk(account), true).await?;
        Ok(item.map(MemberItem::into_member))
    }

    async fn members(&self, org: &OrgId) -> Result<Vec<Member>, StoreError> {
        let query = self
            .client()
            .query()
            .table_name(self.table())
            .key_condition_expression("#pk = :pk AND begins_with(#sk, :prefix)")
            .expression_attribute_names("#pk", "pk")
            .expression_attribute_names("#sk", "sk")
            .expression_attribute_values(":pk", s(keys::org_pk(org)))
            .expression_attribute_values(":prefix", s(keys::MEMBER_PREFIX));
        let items: Vec<MemberItem> = query_all(query).await?;
        Ok(items.into_iter().map(MemberItem::into_member).collect())
    }

    /// Read from GSI1, so a membership change of a link shows here within the index's
    /// propagation delay (typically well under a second); removing a teammate is immediate
    /// (the membership read is consistent).
    async fn link_access(&self, org: &OrgId) -> Result<Vec<LinkAccess>, StoreError> {
        let query = self
            .client()
            .query()
            .table_name(self.table())
            .index_name(keys::GSI1)
            .key_condition_expression("#gpk = :pk AND begins_with(#gsk, :prefix)")
            .expression_attribute_names("#gpk", "gsi1pk")
            .expression_attribute_names("#gsk", "gsi1sk")
            .expression_attribute_names("#id", "id")
            .expression_attribute_names("#members", "member_ids")
            .expression_attribute_values(":pk", s(keys::org_links_pk(org)))
            .expression_attribute_values(":prefix", s(keys::LINK_PREFIX))
            .projection_expression("#id, #members");
        query_all(query).await
    }

    async fn account_for(&self, login: &Login) -> Result<Option<AccountId>, StoreError> {
        let item: Option<super::LoginItem> =
            get_item(self, login_pk(login), keys::LOGIN_SK, true).await?;
        Ok(item.map(|l| l.account_id))
    }

    async fn add_member(
        &self,
        member: &Member,
        account: &Account,
        audit: &AuditEvent<'_>,
        now: i64,
    ) -> Result<(), AddMemberRefused> {
        let invite = StaffInvite {
            account_id: member.account_id,
            org_id: member.org_id,
            created_at: member.created_at,
        };
        let mut tx = Tx::new();
        tx.put_new("invite", &StaffInviteItem::new(&member.email, &invite))?
            .put_new("account", &AccountItem::new(account))?
            .put_new("member", &MemberItem::new(member))?
            .audit(audit, now)?;
        match self.commit(tx).await {
            Ok(()) => Ok(()),
            Err(TxError::Refused("invite")) => Err(AddMemberRefused::AlreadyInvited),
            Err(TxError::Refused(slot)) => Err(unexpected(slot).into()),
            Err(TxError::Store(e)) => Err(e.into()),
        }
    }

    /// Both deletes are conditioned on what was read, so two concurrent removals (or a
    /// removal racing a re-add of the same email) cannot both commit, and the owner count
    /// never drifts. The owner-count update comes last so that a member already gone is
    /// reported as gone, not as the last owner.
    async fn remove_member(
        &self,
        member: &Member,
        audit: &AuditEvent<'_>,
        now: i64,
    ) -> Result<(), RemoveMemberRefused> {
        let org = member.org_id;
        let mut same_role = Expr::new("attribute_exists(#pk) AND #role = :v");
        same_role
            .name("#pk", "pk")
            .name("#role", "role")
            .value(":v", s(member.role.as_str()));
        // An active teammate's email is their login; an invited one's is still an invitation.
        let alias = match member.status {
            MemberStatus::Active => key(keys::staff_email_login_pk(&member.email), keys::LOGIN_SK),
            MemberStatus::Invited => StaffInviteItem::key(&member.email, &org),
        };
        let mut theirs = Expr::new("#account = :v");
        theirs
            .name("#account", "account_id")
            .value(":v", s(member.account_id.to_string()));
        let mut tx = Tx::new();
        tx.delete(
            "member",
            MemberItem::key(&org, &member.account_id),
            Some(same_role),
        )?
        .delete("alias", alias, Some(theirs))?;
        // The practice's access version moves in the same commit (`access::proof`): a
        // caller remembered before is proven stale. One update of `#META` either way.
        if member.role == Role::Owner {
            let mut not_last = Expr::new("#owners > :one");
            not_last.name("#owners", "owner_count").value(":one", n(1));
            let bump = bump_access_version(&mut not_last);
            tx.update(
                "owners",
                key(keys::org_pk(&org), keys::ORG_META_SK),
                format!("SET #owners = #owners - :one {bump}"),
                not_last,
            )?;
        } else {
            let mut practice = Expr::present();
            let bump = bump_access_version(&mut practice);
            tx.update(
                "access_version",
                key(keys::org_pk(&org), keys::ORG_META_SK),
                bump,
                practice,
            )?;
        }
        tx.audit(audit, now)?;
        match self.commit(tx).await {
            Ok(()) => Ok(()),
            Err(TxError::Refused("member" | "alias")) => Err(RemoveMemberRefused::Gone),
            Err(TxError::Refused("owners")) => Err(RemoveMemberRefused::LastOwner),
            Err(TxError::Refused(slot)) => Err(unexpected(slot).into()),
            Err(TxError::Store(e)) => Err(e.into()),
        }
    }
}
