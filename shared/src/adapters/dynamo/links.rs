//! The DynamoDB side of the links aggregate: the link item, its keys (via [`keys`]), the
//! click's counting update and the create/update transactions.
//!
//! One item per link: `CODE#code` / `#CODE` (a click resolves it with one GetItem), listed
//! per practice on GSI1 `ORG#o#LINKS` / `LINK#l`. Clicks are counted on the link's counter
//! shards, never on the link item (see [`super::link_clicks`]): a click does not write the
//! item, nor therefore GSI1's practice partition, which the authorizer reads.
//!
//! Round trips: by code 1 GetItem; by id 1 Query (GSI1) then the counts; list 1 Query (pages
//! followed) then the counts (⌈16n/100⌉ BatchGetItem, concurrent); click 1 GetItem ‖ 1
//! UpdateItem; create / update 1 TransactWriteItems (link, its 16 shards when created or
//! (de)activated, its `member_ids` mirrored on the practice's `#META` item when set,
//! audit); practice name 1 GetItem; roster 1 Query.

use super::access::bump_access_version;
use super::link_clicks::{create_shards, set_shards_active};
use super::{from_item, keys, query_all, s, Dynamo, Expr, Item, StoreError, Tx, TxError};
use crate::domain::ids::{AccountId, LinkId, OrgId};
use crate::links::{Link, LinkChanges, LinkCode};
use crate::ports::links::{LinkPractice, LinkStore, LinkWriteError};
use crate::services::audit::AuditEvent;
use async_trait::async_trait;
use aws_sdk_dynamodb::types::AttributeValue;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The stored link: [`Link`] with its table keys.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct LinkItem {
    pub pk: String,
    pub sk: String,
    pub gsi1pk: String,
    pub gsi1sk: String,
    pub id: LinkId,
    pub org_id: OrgId,
    pub code: String,
    pub practice_name: String,
    pub label: String,
    #[serde(default)]
    pub tags: Vec<String>,
    #[serde(default)]
    pub member_ids: Vec<AccountId>,
    pub active: bool,
    /// Clicks counted on the item itself, before the counter was sharded (new links keep
    /// 0 here); the link's count is this plus its shards'.
    #[serde(default)]
    pub clicks: i64,
    #[serde(default)]
    pub signups: i64,
    /// Likewise, per day, from before sharding.
    #[serde(default)]
    pub daily_clicks: BTreeMap<String, i64>,
    pub created_at: i64,
}

impl From<&Link> for LinkItem {
    fn from(link: &Link) -> Self {
        Self {
            pk: keys::code_pk(&link.code),
            sk: keys::CODE_SK.into(),
            gsi1pk: keys::org_links_pk(&link.org_id),
            gsi1sk: keys::link_sk(&link.id),
            id: link.id,
            org_id: link.org_id,
            code: link.code.clone(),
            practice_name: link.practice_name.clone(),
            label: link.label.clone(),
            tags: link.tags.clone(),
            member_ids: link.member_ids.clone(),
            active: link.active,
            clicks: link.clicks,
            signups: link.signups,
            daily_clicks: link.daily_clicks.clone(),
            created_at: link.created_at,
        }
    }
}

impl From<LinkItem> for Link {
    fn from(item: LinkItem) -> Self {
        Self {
            id: item.id,
            org_id: item.org_id,
            code: item.code,
            practice_name: item.practice_name,
            label: item.label,
            tags: item.tags,
            member_ids: item.member_ids,
            active: item.active,
            clicks: item.clicks,
            signups: item.signups,
            daily_clicks: item.daily_clicks,
            created_at: item.created_at,
        }
    }
}

/// The link item's primary key.
pub fn link_key(code: &str) -> Item {
    super::key(keys::code_pk(code), keys::CODE_SK)
}

/// The signup counter of a link pairing: `signups + 1`, on condition that the link is
/// still active and still the one the signup started with (slot `link`).
pub fn count_signup(tx: &mut Tx, code: &str, link: &LinkId) -> Result<(), StoreError> {
    let mut e = Expr::new("#active = :yes AND #id = :link");
    e.name("#signups", "signups")
        .name("#active", "active")
        .name("#id", "id")
        .value(":one", super::n(1))
        .value(":yes", super::bool_av(true))
        .value(":link", s(link.to_string()));
    tx.update("link", link_key(code), "ADD #signups :one", e)?;
    Ok(())
}

fn attribute<T: Serialize>(value: &T) -> Result<AttributeValue, StoreError> {
    serde_dynamo::to_attribute_value(value).map_err(|e| StoreError::Corrupt(e.to_string()))
}

/// `SET` clauses for the changed fields, with their placeholders in `e`.
fn change_set(changes: &LinkChanges, e: &mut Expr) -> Result<String, StoreError> {
    let mut sets = Vec::new();
    let mut set = |name: &str, attr: &str, value: AttributeValue| {
        sets.push(format!("#{name} = :{name}"));
        e.name(&format!("#{name}"), attr)
            .value(&format!(":{name}"), value);
    };
    if let Some(label) = &changes.label {
        set("label", "label", s(label.clone()));
    }
    if let Some(tags) = &changes.tags {
        set("tags", "tags", attribute(tags)?);
    }
    if let Some(members) = &changes.member_ids {
        set("members", "member_ids", attribute(members)?);
    }
    if let Some(active) = changes.active {
        set("active", "active", super::bool_av(active));
    }
    Ok(format!("SET {}", sets.join(", ")))
}

/// Mirrors the link's `member_ids` on its practice's `#META` item (slot `link_access`;
/// empty: the whole team), in the same transaction as the link's own write, so the
/// authorization that reads that item (`access::caller`) never sees the two disagree.
/// A whole value is set, never a difference, so concurrent updates of one link end as
/// the last committed one on both items. The practice's access version moves with it
/// (`access::proof`: staff callers remembered before are proven stale).
fn keep_link_access(
    tx: &mut Tx,
    org: &OrgId,
    link: &LinkId,
    members: &[AccountId],
) -> Result<(), StoreError> {
    let mut e = Expr::new("attribute_exists(#pk)");
    e.name("#pk", "pk")
        .name("#access", &keys::link_access_attr(link))
        .value(":access", attribute(&members)?);
    let bump = bump_access_version(&mut e);
    tx.update(
        "link_access",
        super::key(keys::org_pk(org), keys::ORG_META_SK),
        format!("SET #access = :access {bump}"),
        e,
    )?;
    Ok(())
}

fn refused_or_store(err: TxError) -> LinkWriteError {
    match err {
        TxError::Refused(_) => LinkWriteError::Refused,
        TxError::Store(e) => LinkWriteError::Store(e),
    }
}

impl Dynamo {
    /// The link item by code, consistent or not (a click reads eventually consistent: half
    /// a read unit, and a hot item's reads stay spread over the partition's replicas).
    pub(super) async fn link_item(
        &self,
        code: &str,
        consistent: bool,
    ) -> Result<Option<Link>, StoreError> {
        let out = self
            .client()
            .get_item()
            .table_name(self.table())
            .set_key(Some(link_key(code)))
            .consistent_read(consistent)
            .send()
            .await?;
        let item: Option<LinkItem> = out.item.map(from_item).transpose()?;
        Ok(item.map(Link::from))
    }

    async fn links_on_gsi1(
        &self,
        org: &OrgId,
        sk: Option<&LinkId>,
    ) -> Result<Vec<LinkItem>, StoreError> {
        let query = self
            .client()
            .query()
            .table_name(self.table())
            .index_name(keys::GSI1)
            .expression_attribute_names("#gpk", "gsi1pk")
            .expression_attribute_names("#gsk", "gsi1sk")
            .expression_attribute_values(":pk", s(keys::org_links_pk(org)));
        let query = match sk {
            Some(id) => query
                .key_condition_expression("#gpk = :pk AND #gsk = :sk")
                .expression_attribute_values(":sk", s(keys::link_sk(id))),
            None => query
                .key_condition_expression("#gpk = :pk AND begins_with(#gsk, :prefix)")
                .expression_attribute_values(":prefix", s(keys::LINK_PREFIX)),
        };
        query_all(query).await
    }
}

#[async_trait]
impl LinkStore for Dynamo {
    async fn link_by_code(&self, code: &str) -> Result<Option<Link>, StoreError> {
        self.link_item(code, true).await
    }

    async fn link_of_practice(&self, org: &OrgId, id: &LinkId) -> Result<Option<Link>, StoreError> {
        let found = self.links_on_gsi1(org, Some(id)).await?.into_iter().next();
        let Some(link) = found.filter(|l| l.org_id == *org).map(Link::from) else {
            return Ok(None);
        };
        Ok(self.with_click_counts(vec![link]).await?.pop())
    }

    async fn links_of_practice(&self, org: &OrgId) -> Result<Vec<Link>, StoreError> {
        let items = self.links_on_gsi1(org, None).await?;
        self.with_click_counts(items.into_iter().map(Link::from).collect())
            .await
    }

    async fn count_click(&self, code: &LinkCode, day: &str) -> Result<Option<Link>, StoreError> {
        self.click(code, day).await
    }

    async fn insert_link(
        &self,
        link: &Link,
        audit: &AuditEvent<'_>,
        now: i64,
    ) -> Result<(), LinkWriteError> {
        let mut tx = Tx::new();
        tx.put_new("link", &LinkItem::from(link))?;
        create_shards(&mut tx, link)?;
        keep_link_access(&mut tx, &link.org_id, &link.id, &link.member_ids)?;
        tx.audit(audit, now)?;
        self.commit(tx).await.map_err(refused_or_store)
    }

    async fn update_link(
        &self,
        link: &Link,
        changes: &LinkChanges,
        audit: &AuditEvent<'_>,
        now: i64,
    ) -> Result<(), LinkWriteError> {
        let mut e = Expr::new("#org = :org AND #id = :id");
        e.name("#org", "org_id")
            .name("#id", "id")
            .value(":org", s(link.org_id.to_string()))
            .value(":id", s(link.id.to_string()));
        let update = change_set(changes, &mut e)?;
        let mut tx = Tx::new();
        tx.update("link", link_key(&link.code), update, e)?;
        if let Some(active) = changes.active {
            set_shards_active(&mut tx, &link.code, active)?;
        }
        if let Some(members) = &changes.member_ids {
            keep_link_access(&mut tx, &link.org_id, &link.id, members)?;
        }
        tx.audit(audit, now)?;
        self.commit(tx).await.map_err(refused_or_store)
    }
}

/// The practice's name, as its `#META` item holds it.
#[derive(Deserialize)]
struct PracticeName {
    name: String,
}

/// A member item's account, all the roster needs.
#[derive(Deserialize)]
struct RosterEntry {
    account_id: AccountId,
}

#[async_trait]
impl LinkPractice for Dynamo {
    async fn practice_name(&self, org: &OrgId) -> Result<Option<String>, StoreError> {
        let out = self
            .client()
            .get_item()
            .table_name(self.table())
            .set_key(Some(super::key(keys::org_pk(org), keys::ORG_META_SK)))
            .send()
            .await?;
        let practice: Option<PracticeName> = out.item.map(from_item).transpose()?;
        Ok(practice.map(|p| p.name))
    }

    async fn roster(&self, org: &OrgId) -> Result<Vec<AccountId>, StoreError> {
        let query = self
            .client()
            .query()
            .table_name(self.table())
            .key_condition_expression("pk = :pk AND begins_with(sk, :prefix)")
            .expression_attribute_values(":pk", s(keys::org_pk(org)))
            .expression_attribute_values(":prefix", s(keys::MEMBER_PREFIX));
        let members: Vec<RosterEntry> = query_all(query).await?;
        Ok(members.into_iter().map(|m| m.account_id).collect())
    }
}
