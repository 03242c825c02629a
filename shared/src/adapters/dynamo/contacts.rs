//! The DynamoDB side of the contacts aggregate: the contact item, its three search keys,
//! and the queries that serve search.
//!
//! `ORG#o` / `CONTACT#ct`; search keys on GSI1 (name), GSI2 (phone), GSI3 (email), all
//! under `ORG#o#CT` (see [`keys::contact_search_pk`]); a detail that is absent has no index
//! entry (the attributes are absent, never NULL).
//!
//! A contact's conversations are separate items, `ORG#o#CONTACT#ct` / `CONV#conv`, one per
//! conversation (written by the invite and pairing transactions with
//! [`list_conversation`]), so the contact item stays the same size however many invites it
//! gets. `GET /v1/contacts/{id}` shows the newest [`CONVERSATIONS_SHOWN`] of them (one
//! Query, concurrent with the GetItem), merged with ids an older item still lists inline.
//!
//! Round trips: a contact 1 GetItem; audited read 1 GetItem + 1 Query + 1 PutItem (concurrent);
//! search 1 Query + 1 PutItem (concurrent); exact phone / email 1 Query; create 1
//! TransactWriteItems (contact + audit).

mod conversations;
mod identity;

pub use conversations::{
    list_conversation, put_new_contact, ContactConversationItem, CONVERSATIONS_SHOWN,
};

use super::{cursor, from_item, from_items, keys, s, Dynamo, Item, StoreError, Tx, TxError};
use crate::contacts::{email_key, phone_key, Contact, ContactPage, SearchBy};
use crate::domain::contact_info::{DisplayName, EmailAddress, PhoneNumber};
use crate::domain::ids::{AccountId, ContactId, ConversationId, OrgId};
use crate::ports::contacts::{ContactStore, SearchFailure};
use crate::services::audit::{self, AuditEvent};
use async_trait::async_trait;
use serde::{Deserialize, Serialize};

/// The stored contact: [`Contact`] with its table and search keys.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ContactItem {
    pub pk: String,
    pub sk: String,
    pub id: ContactId,
    pub org_id: OrgId,
    pub name: DisplayName,
    pub phone: Option<PhoneNumber>,
    pub email: Option<EmailAddress>,
    /// Absent, never NULL, so conditions can use `attribute_not_exists`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub account_id: Option<AccountId>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub invited_at: Option<i64>,
    /// Legacy: conversations are items of their own now ([`list_conversation`]); an item
    /// written before that may still list some inline (read and merged, never grown).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
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

impl From<&Contact> for ContactItem {
    fn from(c: &Contact) -> Self {
        let search = keys::contact_search_pk(&c.org_id);
        Self {
            pk: keys::org_pk(&c.org_id),
            sk: keys::contact_sk(&c.id),
            id: c.id,
            org_id: c.org_id,
            name: c.name.clone(),
            phone: c.phone.clone(),
            email: c.email.clone(),
            account_id: c.account_id,
            invited_at: c.invited_at,
            conversation_ids: c.conversation_ids.clone(),
            created_at: c.created_at,
            gsi1pk: Some(search.clone()),
            gsi1sk: Some(keys::contact_name_sk(&c.name.search_key(), &c.id)),
            gsi2pk: c.phone.as_ref().map(|_| search.clone()),
            gsi2sk: c
                .phone
                .as_ref()
                .map(|p| keys::contact_phone_sk(&phone_key(p), &c.id)),
            gsi3pk: c.email.as_ref().map(|_| search.clone()),
            gsi3sk: c
                .email
                .as_ref()
                .map(|e| keys::contact_email_sk(&email_key(e), &c.id)),
        }
    }
}

impl From<ContactItem> for Contact {
    fn from(item: ContactItem) -> Self {
        Self {
            id: item.id,
            org_id: item.org_id,
            name: item.name,
            phone: item.phone,
            email: item.email,
            account_id: item.account_id,
            invited_at: item.invited_at,
            conversation_ids: item.conversation_ids,
            created_at: item.created_at,
        }
    }
}

impl ContactItem {
    /// A new contact's item. SHIM (issue 9): kept for the `channels` and `notify` branches,
    /// which build items by hand; remove once they use [`Contact::new`].
    pub fn new(
        org: &OrgId,
        id: ContactId,
        name: DisplayName,
        phone: Option<PhoneNumber>,
        email: Option<EmailAddress>,
        now: i64,
    ) -> Self {
        Self::from(&Contact::new(org, id, name, phone, email, now))
    }
}

/// The contact item's primary key.
pub fn contact_key(org: &OrgId, contact: &ContactId) -> Item {
    super::key(keys::org_pk(org), keys::contact_sk(contact))
}

/// Which index serves a search, and the sort-key prefix it looks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SearchPlan {
    pub index: &'static str,
    pub pk_attr: &'static str,
    pub sk_attr: &'static str,
    pub prefix: String,
}

pub fn search_plan(by: &SearchBy) -> SearchPlan {
    let (index, pk_attr, sk_attr, prefix) = match by {
        SearchBy::Name(p) => (
            keys::GSI1,
            "gsi1pk",
            "gsi1sk",
            format!("{}{p}", keys::CONTACT_NAME_PREFIX),
        ),
        SearchBy::Phone(p) => (
            keys::GSI2,
            "gsi2pk",
            "gsi2sk",
            format!("{}{p}", keys::CONTACT_PHONE_PREFIX),
        ),
        SearchBy::Email(p) => (
            keys::GSI3,
            "gsi3pk",
            "gsi3sk",
            format!("{}{p}", keys::CONTACT_EMAIL_PREFIX),
        ),
    };
    SearchPlan {
        index,
        pk_attr,
        sk_attr,
        prefix,
    }
}

impl Dynamo {
    /// One page of a search-index Query.
    async fn search_page(
        &self,
        org: &OrgId,
        plan: &SearchPlan,
        limit: i32,
        start: Option<Item>,
    ) -> Result<(Vec<Contact>, Option<String>), StoreError> {
        let out = self
            .client()
            .query()
            .table_name(self.table())
            .index_name(plan.index)
            .key_condition_expression("#pk = :pk AND begins_with(#sk, :prefix)")
            .expression_attribute_names("#pk", plan.pk_attr)
            .expression_attribute_names("#sk", plan.sk_attr)
            .expression_attribute_values(":pk", s(keys::contact_search_pk(org)))
            .expression_attribute_values(":prefix", s(plan.prefix.clone()))
            .limit(limit)
            .set_exclusive_start_key(start)
            .send()
            .await?;
        let items: Vec<ContactItem> = from_items(out.items.unwrap_or_default())?;
        let next = out.last_evaluated_key.as_ref().map(cursor::encode);
        Ok((items.into_iter().map(Contact::from).collect(), next))
    }

    /// A read's audit item, on its own (reads have no transaction to carry it).
    async fn audit_read(&self, event: &AuditEvent<'_>, now: i64) -> Result<(), StoreError> {
        self.client()
            .put_item()
            .table_name(self.table())
            .set_item(Some(audit::item(now, event)?))
            .send()
            .await?;
        Ok(())
    }
}

#[async_trait]
impl ContactStore for Dynamo {
    async fn contact(&self, org: &OrgId, id: &ContactId) -> Result<Option<Contact>, StoreError> {
        let out = self
            .client()
            .get_item()
            .table_name(self.table())
            .set_key(Some(contact_key(org, id)))
            .consistent_read(true)
            .send()
            .await?;
        let item: Option<ContactItem> = out.item.map(from_item).transpose()?;
        Ok(item.map(Contact::from))
    }

    async fn contact_audited(
        &self,
        org: &OrgId,
        id: &ContactId,
        audit: &AuditEvent<'_>,
        now: i64,
    ) -> Result<Option<Contact>, StoreError> {
        let (contact, listed, audited) = tokio::join!(
            self.contact(org, id),
            self.contact_conversations(org, id),
            self.audit_read(audit, now)
        );
        audited?;
        let Some(mut contact) = contact? else {
            return Ok(None);
        };
        // Ids an older item lists inline (or a writer outside this module still appends),
        // then the listed ones; newest first, each once, at most CONVERSATIONS_SHOWN.
        let mut all = std::mem::take(&mut contact.conversation_ids);
        all.extend(listed?);
        all.sort_by(|a, b| b.cmp(a));
        all.dedup();
        all.truncate(CONVERSATIONS_SHOWN);
        contact.conversation_ids = all;
        Ok(Some(contact))
    }

    async fn search_contacts(
        &self,
        org: &OrgId,
        by: &SearchBy,
        limit: i32,
        cursor: Option<&str>,
        audit: &AuditEvent<'_>,
        now: i64,
    ) -> Result<ContactPage, SearchFailure> {
        let plan = search_plan(by);
        let partition = keys::contact_search_pk(org);
        // A contact of this practice on the search index, inside the search's prefix.
        let contact_key = |key: &cursor::KeyView<'_>| {
            key.sort.starts_with(&plan.prefix)
                && key
                    .sort
                    .rsplit_once('#')
                    .and_then(|(_, id)| id.parse::<ContactId>().ok())
                    .is_some_and(|id| {
                        key.sort.ends_with(&format!("#{id}"))
                            && key.pk == keys::org_pk(org)
                            && key.sk == keys::contact_sk(&id)
                    })
        };
        let shape = cursor::Shape {
            partition_attr: plan.pk_attr,
            partition: &partition,
            valid: &contact_key,
        };
        let start = cursor.map(|c| cursor::decode(c, &shape)).transpose()?;
        let (page, audited) = tokio::join!(
            self.search_page(org, &plan, limit, start),
            self.audit_read(audit, now)
        );
        audited?;
        let (items, next_cursor) = page?;
        Ok(ContactPage { items, next_cursor })
    }

    async fn contacts_with_phone(
        &self,
        org: &OrgId,
        phone: &PhoneNumber,
    ) -> Result<Vec<Contact>, StoreError> {
        let exact = SearchBy::Phone(format!("{}#", phone_key(phone)));
        Ok(self
            .search_page(org, &search_plan(&exact), 25, None)
            .await?
            .0)
    }

    async fn contacts_with_email(
        &self,
        org: &OrgId,
        email: &EmailAddress,
    ) -> Result<Vec<Contact>, StoreError> {
        let exact = SearchBy::Email(format!("{}#", email_key(email)));
        Ok(self
            .search_page(org, &search_plan(&exact), 25, None)
            .await?
            .0)
    }

    async fn insert_contact(
        &self,
        contact: &Contact,
        audit: &AuditEvent<'_>,
        now: i64,
    ) -> Result<(), StoreError> {
        let mut tx = Tx::new();
        tx.put_new("contact", &ContactItem::from(contact))?
            .audit(audit, now)?;
        match self.commit(tx).await {
            Ok(()) => Ok(()),
            Err(TxError::Refused(slot)) => {
                Err(StoreError::Other(format!("{slot}: id already used")))
            }
            Err(TxError::Store(e)) => Err(e),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::contacts::search_by;

    fn item(phone: Option<&str>, email: Option<&str>) -> ContactItem {
        ContactItem::from(&Contact::new(
            &OrgId::generate(),
            ContactId::generate(),
            DisplayName::parse("Ann Lee").unwrap(),
            phone.map(|p| PhoneNumber::parse(p).unwrap()),
            email.map(|e| EmailAddress::parse(e).unwrap()),
            0,
        ))
    }

    #[test]
    fn query_shape_picks_the_index() {
        assert_eq!(search_plan(&search_by(Some("Ann@Ex"))).index, keys::GSI3);
        assert_eq!(search_plan(&search_by(Some("Ann@Ex"))).prefix, "e#ann@ex");
        assert_eq!(
            search_plan(&search_by(Some("(202) 555"))).prefix,
            "p#202555"
        );
        assert_eq!(search_plan(&search_by(Some("Ann L"))).index, keys::GSI1);
        assert_eq!(search_plan(&search_by(None)).prefix, "n#");
    }

    #[test]
    fn phone_keys_agree_with_search_prefixes() {
        let c = item(Some("+1 202 555 0123"), None);
        let prefix = search_plan(&search_by(Some("202-555"))).prefix;
        assert!(c.gsi2sk.as_deref().unwrap().starts_with(&prefix));
        let uk = item(Some("+44 20 7946 0958"), None);
        let prefix = search_plan(&search_by(Some("+44 20 79"))).prefix;
        assert!(uk.gsi2sk.as_deref().unwrap().starts_with(&prefix));
        assert!(item(None, Some("a@b.com")).gsi2sk.is_none());
    }
}
