//! [`SignInStore`] for [`Dynamo`]: each completion is one transaction that consumes the
//! challenge, writes what it creates, adds the session and the audit item.

use super::items::{AccountItem, LoginItem, MemberItem, OrgItem, StaffInviteItem};
use super::team::unexpected;
use crate::access::audit::AuditEvent;
use crate::access::codes::Challenge;
use crate::access::sessions::Session;
use crate::adapters::dynamo::access::{
    consume_challenge, get_item, put_session, CHALLENGE_SLOT, CURRENT_CODE_SLOT,
};
use crate::adapters::dynamo::{keys, query_all, s, Dynamo, Expr, StoreError, Tx, TxError};
use crate::domain::contact_info::{EmailAddress, PhoneNumber};
use crate::domain::ids::AccountId;
use crate::ports::practice::{InviteClaim, NewPractice, SignInRefused, SignInStore};
use crate::practice::model::{Account, StaffInvite};
use async_trait::async_trait;

fn refusal(err: TxError) -> SignInRefused {
    match err {
        TxError::Refused(CHALLENGE_SLOT) => SignInRefused::CodeUsed,
        TxError::Refused(CURRENT_CODE_SLOT) => SignInRefused::CodeReplaced,
        TxError::Refused("login") => SignInRefused::EmailTaken,
        TxError::Refused("member" | "invite") => SignInRefused::MembershipGone,
        TxError::Refused("number") => SignInRefused::NumberTaken,
        TxError::Refused("reply") => SignInRefused::ReplyTaken,
        TxError::Refused(slot) => SignInRefused::Store(unexpected(slot)),
        TxError::Store(e) => SignInRefused::Store(e),
    }
}

/// A transaction that starts by consuming `challenge`.
fn consuming(challenge: &Challenge, now: i64) -> Result<Tx, StoreError> {
    let mut tx = Tx::new();
    consume_challenge(&mut tx, challenge, now)?;
    Ok(tx)
}

#[async_trait]
impl SignInStore for Dynamo {
    async fn account(&self, id: &AccountId) -> Result<Option<Account>, StoreError> {
        let item: Option<AccountItem> =
            get_item(self, keys::account_pk(id), keys::PROFILE_SK, false).await?;
        Ok(item.map(AccountItem::into_account))
    }

    async fn staff_invites(&self, email: &EmailAddress) -> Result<Vec<StaffInvite>, StoreError> {
        let query = self
            .client()
            .query()
            .table_name(self.table())
            .key_condition_expression("#pk = :pk")
            .expression_attribute_names("#pk", "pk")
            .expression_attribute_values(":pk", s(keys::staff_invite_pk(email)))
            .consistent_read(true);
        let items: Vec<StaffInviteItem> = query_all(query).await?;
        Ok(items
            .into_iter()
            .map(StaffInviteItem::into_invite)
            .collect())
    }

    async fn free_sms_numbers(&self, limit: i32) -> Result<Vec<PhoneNumber>, StoreError> {
        self.free_pool_numbers(limit).await
    }

    async fn create_practice(
        &self,
        new: &NewPractice<'_>,
        audit: &AuditEvent<'_>,
        now: i64,
    ) -> Result<(), SignInRefused> {
        let email = new.member.email.clone();
        let mut tx = consuming(new.challenge, now)?;
        tx.put_new("practice", &OrgItem::new(new.practice))?
            .put_new("account", &AccountItem::new(new.owner))?
            .put_new("member", &MemberItem::new(new.member))?
            .put_new("login", &LoginItem::staff_email(&email, &new.owner.id))?;
        let org = &new.practice.id;
        if let Some(number) = &new.practice.sms_number {
            let (k, update, condition) =
                crate::adapters::dynamo::channel_pool::take_number(org, number);
            tx.update("number", k, update, condition)?;
        }
        if let Some(reply) = &new.practice.reply_email {
            tx.put_new(
                "reply",
                &crate::adapters::dynamo::channel_pool::reply_item(org, reply),
            )?;
        }
        put_session(&mut tx, new.session)?;
        tx.audit(audit, now)?;
        self.commit(tx).await.map_err(refusal)
    }

    async fn sign_in(
        &self,
        challenge: &Challenge,
        session: &Session,
        audit: &AuditEvent<'_>,
        now: i64,
    ) -> Result<(), SignInRefused> {
        let mut tx = consuming(challenge, now)?;
        if let Some(org) = &session.org_id {
            // The member must still exist when the session is created.
            tx.check(
                "member",
                MemberItem::key(org, &session.account_id),
                Expr::present(),
            )?;
        }
        put_session(&mut tx, session)?;
        tx.audit(audit, now)?;
        self.commit(tx).await.map_err(refusal)
    }

    async fn claim_invite(
        &self,
        claim: &InviteClaim<'_>,
        audit: &AuditEvent<'_>,
        now: i64,
    ) -> Result<(), SignInRefused> {
        let member = claim.member;
        let mut activate = Expr::new("#status = :invited");
        activate
            .name("#status", "status")
            .value(":active", s("active"))
            .value(":invited", s("invited"));
        let mut theirs = Expr::new("#account = :a");
        theirs
            .name("#account", "account_id")
            .value(":a", s(member.account_id.to_string()));
        let mut tx = consuming(claim.challenge, now)?;
        tx.put_new(
            "login",
            &LoginItem::staff_email(&member.email, &member.account_id),
        )?
        .update(
            "member",
            MemberItem::key(&member.org_id, &member.account_id),
            "SET #status = :active",
            activate,
        )?
        .delete(
            "invite",
            StaffInviteItem::key(&member.email, &member.org_id),
            Some(theirs),
        )?;
        put_session(&mut tx, claim.session)?;
        tx.audit(audit, now)?;
        self.commit(tx).await.map_err(refusal)
    }
}
