//! The DynamoDB side of standard (SMS / email) messaging: the items it owns, and
//! [`StandardStore`] for [`Dynamo`] (inbound appends are in [`super::standard_inbound`]).
//!
//! Items (keys in `keys.rs`, "standard channels"):
//! - [`ChannelItem`] `CHANNEL#sms#+1206…` / `#CHANNEL`: a practice's own number or reply
//!   address (free pool numbers carry GSI1 `POOL#sms`).
//! - [`ThreadItem`] `THREAD#o#sms#+1202…` / `#THREAD`: the practice's thread with one
//!   contact address: latest conversation, all of them, opt-out, a revision for races.
//! - `INBOUND#id` / `#INBOUND`: handled inbound events (duplicate guard, 30-day TTL).
//! - On messages `CONV#c` / `M#m`: `direction`, and `delivery {status, updated_at, reason?,
//!   provider_message_id?}` for outbound standard messages.
//! - On standard conversation metas: `to`, `from_address`, `opted_out`, `opted_out_at`.

use super::expr::Expr;
use super::keys;
use super::tx::{Tx, TxError};
use super::{batch_get, bool_av, from_item, get_s, key, n, s, Dynamo, Item, StoreError};
use crate::domain::ids::{ContactId, ConversationId, MessageId, OrgId};
use crate::ports::standard::{DeliveryChange, PracticeChannel, StandardStore, Thread};
use crate::standard::model::{Address, DeliveryStatus, MessageRef, Outbound, StandardChannel};
use async_trait::async_trait;
use serde::{Deserialize, Serialize};

/// How long a handled inbound event is remembered (providers retry for hours, not weeks).
pub const INBOUND_EVENT_MS: i64 = 30 * 24 * 3600 * 1000;

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ChannelItem {
    pub pk: String,
    pub sk: String,
    pub channel: StandardChannel,
    pub address: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub org_id: Option<OrgId>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gsi1pk: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gsi1sk: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ThreadItem {
    pub pk: String,
    pub sk: String,
    pub org_id: OrgId,
    pub channel: StandardChannel,
    pub address: String,
    #[serde(default)]
    pub contact_id: Option<ContactId>,
    #[serde(default)]
    pub latest_conversation_id: Option<ConversationId>,
    #[serde(default)]
    pub conversation_ids: Vec<ConversationId>,
    #[serde(default)]
    pub opted_out: bool,
    #[serde(default)]
    pub opted_out_at: Option<i64>,
    /// Bumped by every change, so a writer that read the item can require it unchanged.
    #[serde(default)]
    pub rev: i64,
}

/// The delivery record on an outbound standard message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeliveryRecord {
    pub status: DeliveryStatus,
    pub updated_at: i64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub provider_message_id: Option<String>,
}

/// The fields of a message the sender needs.
#[derive(Debug, Deserialize)]
struct QueuedMessage {
    id: MessageId,
    conversation_id: ConversationId,
    text: String,
    #[serde(default)]
    delivery: Option<DeliveryRecord>,
}

/// The fields of a standard conversation's meta the sender and threading need.
#[derive(Debug, Deserialize)]
pub(crate) struct StandardMeta {
    pub id: ConversationId,
    pub org_id: OrgId,
    #[serde(default)]
    pub channel: Option<StandardChannel>,
    #[serde(default)]
    pub to: Option<String>,
    #[serde(default)]
    pub from_address: Option<String>,
    #[serde(default)]
    pub opted_out: bool,
    #[serde(default)]
    pub last_message_id: Option<MessageId>,
}

#[derive(Debug, Deserialize)]
struct OrgName {
    id: OrgId,
    name: String,
}

pub(crate) fn meta_key(c: &ConversationId) -> Item {
    key(keys::conversation_pk(c), keys::CONVERSATION_META_SK)
}

pub(crate) fn thread_key(org: &OrgId, a: &Address) -> Item {
    key(
        keys::thread_pk(org, a.channel().as_str(), &a.key()),
        keys::THREAD_SK,
    )
}

impl Dynamo {
    pub(crate) async fn get(&self, k: Item) -> Result<Option<Item>, StoreError> {
        let out = self
            .client()
            .get_item()
            .table_name(self.table())
            .set_key(Some(k))
            .consistent_read(true)
            .send()
            .await?;
        Ok(out.item)
    }

    pub(crate) async fn thread_item(
        &self,
        org: &OrgId,
        a: &Address,
    ) -> Result<Option<ThreadItem>, StoreError> {
        self.get(thread_key(org, a))
            .await?
            .map(from_item)
            .transpose()
    }

    async fn load_queued(&self, refs: &[MessageRef]) -> Result<Vec<Item>, StoreError> {
        let mut keys_wanted: Vec<Item> = Vec::new();
        for r in refs {
            keys_wanted.push(key(
                keys::conversation_pk(&r.conversation_id),
                keys::message_sk(&r.message_id),
            ));
            let meta = meta_key(&r.conversation_id);
            if !keys_wanted.contains(&meta) {
                keys_wanted.push(meta);
            }
        }
        batch_get(self.client(), self.table(), keys_wanted, true).await
    }
}

#[async_trait]
impl StandardStore for Dynamo {
    async fn load_outbound(&self, refs: &[MessageRef]) -> Result<Vec<Outbound>, StoreError> {
        if refs.is_empty() {
            return Ok(vec![]);
        }
        let items = self.load_queued(refs).await?;
        let (metas, messages): (Vec<Item>, Vec<Item>) = items
            .into_iter()
            .partition(|i| get_s(i, "sk") == Some(keys::CONVERSATION_META_SK));
        let metas: Vec<StandardMeta> =
            metas.into_iter().map(from_item).collect::<Result<_, _>>()?;
        let mut org_keys: Vec<Item> = Vec::new();
        for m in &metas {
            let k = key(keys::org_pk(&m.org_id), keys::ORG_META_SK);
            if !org_keys.contains(&k) {
                org_keys.push(k);
            }
        }
        let orgs: Vec<OrgName> = batch_get(self.client(), self.table(), org_keys, false)
            .await?
            .into_iter()
            .map(from_item)
            .collect::<Result<_, _>>()?;
        let mut found = Vec::new();
        for item in messages {
            let m: QueuedMessage = from_item(item)?;
            let Some(delivery) = m.delivery else { continue };
            let Some(meta) = metas.iter().find(|x| x.id == m.conversation_id) else {
                continue;
            };
            let (Some(channel), Some(to), Some(from)) =
                (meta.channel, meta.to.clone(), meta.from_address.clone())
            else {
                continue;
            };
            found.push(Outbound {
                org_id: meta.org_id,
                conversation_id: m.conversation_id,
                message_id: m.id,
                text: m.text,
                status: delivery.status,
                from: Address::from_stored(channel, from),
                to: Address::from_stored(channel, to),
                opted_out: meta.opted_out,
                practice_name: orgs
                    .iter()
                    .find(|o| o.id == meta.org_id)
                    .map(|o| o.name.clone())
                    .unwrap_or_default(),
            });
        }
        Ok(found)
    }

    async fn record_sent(
        &self,
        message: &MessageRef,
        provider_id: &str,
        at_ms: i64,
    ) -> Result<bool, StoreError> {
        let mut e = Expr::new("#d.#st = :queued");
        e.name("#d", "delivery")
            .name("#st", "status")
            .name("#at", "updated_at")
            .name("#pid", "provider_message_id")
            .value(":queued", s(DeliveryStatus::Queued.as_str()))
            .value(":sent", s(DeliveryStatus::Sent.as_str()))
            .value(":now", n(at_ms))
            .value(":pid", s(provider_id));
        self.conditional_update(
            message_key(message),
            "SET #d.#st = :sent, #d.#at = :now, #d.#pid = :pid",
            e,
        )
        .await
    }

    async fn advance_delivery(&self, change: &DeliveryChange) -> Result<bool, StoreError> {
        let from = change.status.predecessors();
        if from.is_empty() {
            return Ok(false);
        }
        let mut e = Expr::default();
        e.name("#d", "delivery")
            .name("#st", "status")
            .name("#at", "updated_at")
            .value(":new", s(change.status.as_str()))
            .value(":now", n(change.at_ms));
        let placeholders: Vec<String> = from
            .iter()
            .enumerate()
            .map(|(i, st)| {
                let p = format!(":from{i}");
                e.value(&p, s(st.as_str()));
                p
            })
            .collect();
        e.and(&format!("#d.#st IN ({})", placeholders.join(", ")));
        let mut update = "SET #d.#st = :new, #d.#at = :now".to_string();
        if let Some(reason) = &change.reason {
            e.name("#reason", "reason").value(":reason", s(reason));
            update.push_str(", #d.#reason = :reason");
        }
        self.conditional_update(message_key(&change.message), &update, e)
            .await
    }

    async fn practice_by_address(
        &self,
        address: &Address,
    ) -> Result<Option<PracticeChannel>, StoreError> {
        let k = key(
            keys::channel_pk(address.channel().as_str(), &address.key()),
            keys::CHANNEL_SK,
        );
        let Some(item) = self.get(k).await? else {
            return Ok(None);
        };
        let channel: ChannelItem = from_item(item)?;
        let Some(org) = channel.org_id else {
            return Ok(None);
        };
        let name = match self.get(key(keys::org_pk(&org), keys::ORG_META_SK)).await? {
            Some(item) => from_item::<OrgName>(item)?.name,
            None => return Ok(None),
        };
        Ok(Some(PracticeChannel {
            org_id: org,
            practice_name: name,
            address: address.clone(),
        }))
    }

    async fn thread(&self, org: &OrgId, address: &Address) -> Result<Option<Thread>, StoreError> {
        Ok(self.thread_item(org, address).await?.and_then(|t| {
            Some(Thread {
                org_id: t.org_id,
                address: address.clone(),
                contact_id: t.contact_id?,
                latest_conversation_id: t.latest_conversation_id,
                opted_out: t.opted_out,
            })
        }))
    }

    async fn contact_with(
        &self,
        org: &OrgId,
        address: &Address,
    ) -> Result<Option<ContactId>, StoreError> {
        let (index, pk, sk, prefix) = match address {
            Address::Phone(p) => (
                keys::GSI2,
                "gsi2pk",
                "gsi2sk",
                format!(
                    "{}{}#",
                    keys::CONTACT_PHONE_PREFIX,
                    crate::contacts::phone_key(p)
                ),
            ),
            Address::Email(e) => (
                keys::GSI3,
                "gsi3pk",
                "gsi3sk",
                format!(
                    "{}{}#",
                    keys::CONTACT_EMAIL_PREFIX,
                    crate::contacts::email_key(e)
                ),
            ),
        };
        let out = self
            .client()
            .query()
            .table_name(self.table())
            .index_name(index)
            .key_condition_expression("#pk = :pk AND begins_with(#sk, :prefix)")
            .expression_attribute_names("#pk", pk)
            .expression_attribute_names("#sk", sk)
            .expression_attribute_values(":pk", s(keys::contact_search_pk(org)))
            .expression_attribute_values(":prefix", s(prefix))
            .limit(1)
            .send()
            .await?;
        Ok(out
            .items()
            .first()
            .and_then(|i| get_s(i, "id"))
            .and_then(|id| id.parse().ok()))
    }

    async fn conversation_with(
        &self,
        org: &OrgId,
        conversation: &ConversationId,
        address: &Address,
    ) -> Result<bool, StoreError> {
        let Some(item) = self.get(meta_key(conversation)).await? else {
            return Ok(false);
        };
        let meta: StandardMeta = from_item(item)?;
        Ok(&meta.org_id == org
            && meta.channel == Some(address.channel())
            && meta.to.as_deref() == Some(address.key().as_str()))
    }

    async fn set_opt_out(
        &self,
        org: &OrgId,
        address: &Address,
        opted_out: bool,
        at_ms: i64,
    ) -> Result<(), StoreError> {
        for _ in 0..5 {
            let current = self.thread_item(org, address).await?;
            match self
                .commit(opt_out_tx(
                    org,
                    address,
                    current.as_ref(),
                    opted_out,
                    at_ms,
                )?)
                .await
            {
                Ok(()) => return Ok(()),
                Err(TxError::Refused("thread")) => continue,
                Err(TxError::Refused(_)) => return Ok(()),
                Err(TxError::Store(e)) => return Err(e),
            }
        }
        Err(StoreError::Conflict)
    }

    async fn claim_event(&self, provider_id: &str, at_ms: i64) -> Result<bool, StoreError> {
        let mut tx = Tx::new();
        tx.put_new("event", &inbound_event(provider_id, at_ms))?;
        match self.commit(tx).await {
            Ok(()) => Ok(true),
            Err(TxError::Refused(_)) => Ok(false),
            Err(TxError::Store(e)) => Err(e),
        }
    }

    async fn release_event(&self, provider_id: &str) -> Result<(), StoreError> {
        self.client()
            .delete_item()
            .table_name(self.table())
            .set_key(Some(key(
                keys::inbound_event_pk(provider_id),
                keys::INBOUND_EVENT_SK,
            )))
            .send()
            .await?;
        Ok(())
    }

    async fn append_inbound(
        &self,
        inbound: &crate::ports::standard::NewInbound<'_>,
    ) -> Result<crate::ports::standard::Appended, StoreError> {
        super::standard_inbound::append(self, inbound).await
    }

    async fn open_thread(
        &self,
        open: &crate::ports::standard::OpenThread<'_>,
    ) -> Result<crate::ports::standard::Appended, StoreError> {
        super::standard_inbound::open(self, open).await
    }
}

fn message_key(m: &MessageRef) -> Item {
    key(
        keys::conversation_pk(&m.conversation_id),
        keys::message_sk(&m.message_id),
    )
}

/// The duplicate-guard item of an inbound event.
pub(crate) fn inbound_event(provider_id: &str, at_ms: i64) -> serde_json::Value {
    let expires = at_ms + INBOUND_EVENT_MS;
    serde_json::json!({
        "pk": keys::inbound_event_pk(provider_id),
        "sk": keys::INBOUND_EVENT_SK,
        "at": at_ms,
        "ttl": expires / 1000,
    })
}

/// The thread item (created when absent) and every listed conversation's meta, in one
/// transaction that requires the thread unchanged since it was read.
fn opt_out_tx(
    org: &OrgId,
    address: &Address,
    current: Option<&ThreadItem>,
    opted_out: bool,
    at_ms: i64,
) -> Result<Tx, StoreError> {
    let mut tx = Tx::new();
    let mut e = match current {
        Some(t) => {
            let mut e = Expr::new("#rev = :rev");
            e.value(":rev", n(t.rev));
            e
        }
        None => Expr::new("attribute_not_exists(#rev)"),
    };
    e.name("#rev", "rev")
        .name("#org", "org_id")
        .name("#ch", "channel")
        .name("#addr", "address")
        .name("#oo", "opted_out")
        .name("#ooat", "opted_out_at")
        .value(":org", s(org.to_string()))
        .value(":ch", s(address.channel().as_str()))
        .value(":addr", s(address.key()))
        .value(":oo", bool_av(opted_out))
        .value(":at", n(at_ms))
        .value(":one", n(1))
        .value(":zero", n(0));
    tx.update(
        "thread",
        thread_key(org, address),
        "SET #org = :org, #ch = :ch, #addr = :addr, #oo = :oo, #ooat = :at, \
         #rev = if_not_exists(#rev, :zero) + :one",
        e,
    )?;
    for conversation in current
        .map(|t| t.conversation_ids.as_slice())
        .unwrap_or(&[])
    {
        let mut m = Expr::present();
        m.name("#oo", "opted_out")
            .name("#ooat", "opted_out_at")
            .value(":oo", bool_av(opted_out))
            .value(":at", n(at_ms));
        tx.update(
            "meta",
            meta_key(conversation),
            "SET #oo = :oo, #ooat = :at",
            m,
        )?;
    }
    Ok(tx)
}

impl Dynamo {
    /// One UpdateItem under a condition: `Ok(false)` when the condition refused it.
    pub(crate) async fn conditional_update(
        &self,
        k: Item,
        update: &str,
        e: Expr,
    ) -> Result<bool, StoreError> {
        let result = self
            .client()
            .update_item()
            .table_name(self.table())
            .set_key(Some(k))
            .update_expression(update)
            .set_condition_expression(e.text_opt())
            .set_expression_attribute_names(e.names_opt())
            .set_expression_attribute_values(e.values_opt())
            .send()
            .await;
        match result.map_err(StoreError::from) {
            Ok(_) => Ok(true),
            Err(StoreError::ConditionFailed) => Ok(false),
            Err(e) => Err(e),
        }
    }
}
