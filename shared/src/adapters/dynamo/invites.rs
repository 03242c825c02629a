//! The DynamoDB side of the invites aggregate: the invite record, the token item, and the
//! create / resend transactions.
//!
//! Two items per invite: the record `ORG#o` / `INVITE#inv` (what staff manage; survives
//! token changes) and the token item `INVITE#sha256(token)` / `#INVITE` (what a click or a
//! signup presents). Resend deletes the old token item and puts a new one in one
//! transaction, so the old token stops working at once.
//!
//! Round trips: contact + practice 1 BatchGetItem; create 1 TransactWriteItems; record or
//! token 1 GetItem; resend 1 TransactWriteItems; send results 1 UpdateItem.

mod pairing;

pub use pairing::{access_part, AccessPart, PairingItem};

use super::contacts::{contact_key, list_conversation, ContactItem};
use super::{batch_get, from_item, get_s, keys, n, s, Dynamo, Expr, Item, StoreError, Tx, TxError};
use crate::contacts::Contact;
use crate::domain::contact_info::{EmailAddress, PhoneNumber};
use crate::domain::ids::{AccountId, ContactId, ConversationId, InviteId, LinkId, OrgId};
use crate::invites::{Invite, InviteStatus, InviteToken, SendResults};
use crate::ports::invites::{InviteStore, InviteWriteError, NewConversationItems};
use crate::services::audit::AuditEvent;
use async_trait::async_trait;
use aws_sdk_dynamodb::types::AttributeValue;
use serde::{Deserialize, Serialize};

/// The token item: `INVITE#sha256(token)` / `#INVITE`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct InviteTokenItem {
    pub pk: String,
    pub sk: String,
    pub invite_id: InviteId,
    pub org_id: OrgId,
    pub practice_name: String,
    pub contact_id: ContactId,
    pub conversation_id: ConversationId,
    #[serde(default)]
    pub link_id: Option<LinkId>,
    pub phone: Option<PhoneNumber>,
    pub email: Option<EmailAddress>,
    pub status: InviteStatus,
    pub expires_at: i64,
    pub ttl: i64,
}

/// The invite record: `ORG#o` / `INVITE#inv`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct InviteItem {
    pub pk: String,
    pub sk: String,
    pub id: InviteId,
    pub org_id: OrgId,
    pub practice_name: String,
    pub contact_id: ContactId,
    pub conversation_id: ConversationId,
    #[serde(default)]
    pub link_id: Option<LinkId>,
    pub phone: Option<PhoneNumber>,
    pub email: Option<EmailAddress>,
    pub status: InviteStatus,
    pub token_hash: String,
    pub expires_at: i64,
    #[serde(default)]
    pub sends: SendResults,
    #[serde(default)]
    pub resends: Vec<i64>,
    pub created_at: i64,
    pub created_by: AccountId,
    #[serde(default)]
    pub accepted_at: Option<i64>,
    #[serde(default)]
    pub account_id: Option<AccountId>,
}

impl InviteTokenItem {
    /// The token item of `invite`'s current token.
    pub fn of(invite: &Invite) -> Self {
        let t = invite.token();
        Self {
            pk: keys::invite_token_pk(&invite.token_hash),
            sk: keys::INVITE_TOKEN_SK.into(),
            invite_id: t.invite_id,
            org_id: t.org_id,
            practice_name: t.practice_name,
            contact_id: t.contact_id,
            conversation_id: t.conversation_id,
            link_id: t.link_id,
            phone: t.phone,
            email: t.email,
            status: t.status,
            expires_at: t.expires_at,
            ttl: t.expires_at / 1000 + 24 * 3600,
        }
    }
}

impl From<InviteTokenItem> for InviteToken {
    fn from(i: InviteTokenItem) -> Self {
        Self {
            invite_id: i.invite_id,
            org_id: i.org_id,
            practice_name: i.practice_name,
            contact_id: i.contact_id,
            conversation_id: i.conversation_id,
            link_id: i.link_id,
            phone: i.phone,
            email: i.email,
            status: i.status,
            expires_at: i.expires_at,
        }
    }
}

impl From<&Invite> for InviteItem {
    fn from(i: &Invite) -> Self {
        Self {
            pk: keys::org_pk(&i.org_id),
            sk: keys::invite_sk(&i.id),
            id: i.id,
            org_id: i.org_id,
            practice_name: i.practice_name.clone(),
            contact_id: i.contact_id,
            conversation_id: i.conversation_id,
            link_id: i.link_id,
            phone: i.phone.clone(),
            email: i.email.clone(),
            status: i.status,
            token_hash: i.token_hash.clone(),
            expires_at: i.expires_at,
            sends: i.sends.clone(),
            resends: i.resends.clone(),
            created_at: i.created_at,
            created_by: i.created_by,
            accepted_at: i.accepted_at,
            account_id: i.account_id,
        }
    }
}

impl From<InviteItem> for Invite {
    fn from(i: InviteItem) -> Self {
        Self {
            id: i.id,
            org_id: i.org_id,
            practice_name: i.practice_name,
            contact_id: i.contact_id,
            conversation_id: i.conversation_id,
            link_id: i.link_id,
            phone: i.phone,
            email: i.email,
            status: i.status,
            token_hash: i.token_hash,
            expires_at: i.expires_at,
            sends: i.sends,
            resends: i.resends,
            created_at: i.created_at,
            created_by: i.created_by,
            accepted_at: i.accepted_at,
            account_id: i.account_id,
        }
    }
}

pub fn invite_key(org: &OrgId, invite: &InviteId) -> Item {
    super::key(keys::org_pk(org), keys::invite_sk(invite))
}

pub fn token_key(token_hash: &str) -> Item {
    super::key(keys::invite_token_pk(token_hash), keys::INVITE_TOKEN_SK)
}

pub(crate) fn attribute<T: Serialize>(value: &T) -> Result<AttributeValue, StoreError> {
    serde_dynamo::to_attribute_value(value).map_err(|e| StoreError::Corrupt(e.to_string()))
}

/// A new conversation's meta and participant rows, each put only if new (slots
/// `conversation`, `participant`).
pub fn put_new_conversation(
    tx: &mut Tx,
    items: &NewConversationItems<'_>,
) -> Result<(), StoreError> {
    tx.put_new("conversation", items.meta)?;
    for row in items.rows {
        tx.put_new("participant", row)?;
    }
    Ok(())
}

/// Contact: invited now, only while it has no account (slot `contact`); the new
/// conversation listed under it as its own item (the contact item does not grow).
fn mark_invited(tx: &mut Tx, invite: &Invite, now: i64) -> Result<(), StoreError> {
    let mut e = Expr::new("attribute_exists(#pk) AND attribute_not_exists(#account)");
    e.name("#pk", "pk")
        .name("#invited_at", "invited_at")
        .name("#account", "account_id")
        .value(":now", n(now));
    tx.update(
        "contact",
        contact_key(&invite.org_id, &invite.contact_id),
        "SET #invited_at = :now",
        e,
    )?;
    list_conversation(
        tx,
        &invite.org_id,
        &invite.contact_id,
        &invite.conversation_id,
    )?;
    Ok(())
}

fn refused_or_store(err: TxError) -> InviteWriteError {
    match err {
        TxError::Refused(_) => InviteWriteError::Refused,
        TxError::Store(e) => InviteWriteError::Store(e),
    }
}

/// The practice's name, as its `#META` item holds it.
#[derive(Deserialize)]
struct PracticeName {
    name: String,
}

#[async_trait]
impl InviteStore for Dynamo {
    async fn contact_and_practice(
        &self,
        org: &OrgId,
        contact: &ContactId,
    ) -> Result<(Option<Contact>, Option<String>), StoreError> {
        let wanted = vec![
            contact_key(org, contact),
            super::key(keys::org_pk(org), keys::ORG_META_SK),
        ];
        let items = batch_get(self.client(), self.table(), wanted, true).await?;
        let (mut found_contact, mut found_org) = (None, None);
        for item in items {
            if get_s(&item, "sk") == Some(keys::ORG_META_SK) {
                found_org = Some(from_item::<PracticeName>(item)?.name);
            } else {
                found_contact = Some(from_item::<ContactItem>(item)?.into());
            }
        }
        Ok((found_contact, found_org))
    }

    async fn insert_invite(
        &self,
        invite: &Invite,
        conversation: NewConversationItems<'_>,
        audit: &AuditEvent<'_>,
        now: i64,
    ) -> Result<(), InviteWriteError> {
        let mut tx = Tx::new();
        mark_invited(&mut tx, invite, now)?;
        put_new_conversation(&mut tx, &conversation)?;
        tx.put_new("invite", &InviteItem::from(invite))?
            .put_new("token", &InviteTokenItem::of(invite))?
            .audit(audit, now)?;
        match self.commit(tx).await {
            Err(TxError::Refused("contact")) => Err(InviteWriteError::Refused),
            Err(TxError::Refused(slot)) => {
                Err(StoreError::Other(format!("{slot}: key already used")).into())
            }
            other => other.map_err(refused_or_store),
        }
    }

    async fn invite(&self, org: &OrgId, id: &InviteId) -> Result<Option<Invite>, StoreError> {
        let out = self
            .client()
            .get_item()
            .table_name(self.table())
            .set_key(Some(invite_key(org, id)))
            .consistent_read(true)
            .send()
            .await?;
        let item: Option<InviteItem> = out.item.map(from_item).transpose()?;
        Ok(item.map(Invite::from))
    }

    async fn token(&self, token_hash: &str) -> Result<Option<InviteToken>, StoreError> {
        let out = self
            .client()
            .get_item()
            .table_name(self.table())
            .set_key(Some(token_key(token_hash)))
            .consistent_read(true)
            .send()
            .await?;
        let item: Option<InviteTokenItem> = out.item.map(from_item).transpose()?;
        Ok(item.map(InviteToken::from))
    }

    async fn renew_token(
        &self,
        previous: &Invite,
        renewed: &Invite,
        audit: &AuditEvent<'_>,
        now: i64,
    ) -> Result<(), InviteWriteError> {
        // Still pending and still on the token we read: a concurrent resend or acceptance wins.
        let mut e = Expr::new("#token_hash = :old AND #status = :pending");
        e.name("#token_hash", "token_hash")
            .name("#expires_at", "expires_at")
            .name("#resends", "resends")
            .name("#status", "status")
            .value(":new", s(renewed.token_hash.clone()))
            .value(":old", s(previous.token_hash.clone()))
            .value(":exp", n(renewed.expires_at))
            .value(":resends", attribute(&renewed.resends)?)
            .value(":pending", attribute(&InviteStatus::Pending)?);
        let mut tx = Tx::new();
        tx.update(
            "invite",
            invite_key(&renewed.org_id, &renewed.id),
            "SET #token_hash = :new, #expires_at = :exp, #resends = :resends",
            e,
        )?
        .delete("old_token", token_key(&previous.token_hash), None)?
        .put_new("token", &InviteTokenItem::of(renewed))?
        .audit(audit, now)?;
        match self.commit(tx).await {
            Err(TxError::Refused("invite")) => Err(InviteWriteError::Refused),
            Err(TxError::Refused(slot)) => {
                Err(StoreError::Other(format!("{slot}: key already used")).into())
            }
            other => other.map_err(refused_or_store),
        }
    }

    async fn record_sends(&self, invite: &Invite, sends: &SendResults) -> Result<(), StoreError> {
        let outcome = self
            .client()
            .update_item()
            .table_name(self.table())
            .set_key(Some(invite_key(&invite.org_id, &invite.id)))
            .update_expression("SET #sends = :sends")
            .condition_expression("#token_hash = :h")
            .expression_attribute_names("#sends", "sends")
            .expression_attribute_names("#token_hash", "token_hash")
            .expression_attribute_values(":sends", attribute(sends)?)
            .expression_attribute_values(":h", s(invite.token_hash.clone()))
            .send()
            .await
            .map_err(StoreError::from);
        match outcome {
            Ok(_) | Err(StoreError::ConditionFailed) => Ok(()),
            Err(err) => Err(err),
        }
    }
}
