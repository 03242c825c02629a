//! The DynamoDB side of standard (SMS / email) messaging: the items it owns, and
//! [`StandardStore`] for [`Dynamo`], one file per concern: [`outbound`] (loading what to
//! send, the delivery record), [`addressing`] (practice, thread and contact by address),
//! [`opt_out`] (STOP / START and the inbound duplicate guard); inbound appends are in
//! [`super::standard_inbound`], staff-started conversations in [`super::standard_start`].
//!
//! Items (keys in `keys.rs`, "standard channels"):
//! - [`ChannelItem`] `CHANNEL#sms#+1206…` / `#CHANNEL`: a practice's own number or reply
//!   address (free pool numbers carry GSI1 `POOL#sms`).
//! - [`ThreadItem`] `THREAD#o#sms#+1202…` / `#THREAD`: the practice's thread with one
//!   contact address: latest conversation, all of them, opt-out, a revision for races.
//! - `INBOUND#id` / `#INBOUND`: handled inbound events (duplicate guard, 30-day TTL).
//! - On messages `CONV#c` / `M#m`: `direction`, and `delivery {status, updated_at, reason?,
//!   provider_message_id?}` for outbound standard messages; while one is `queued`, GSI3
//!   `SEND#DUE` / `<due>#c#m` ([`redrive`]: the sweep's safety net for lost stream records).
//! - On standard conversation metas: `to`, `from_address`, `opted_out`, `opted_out_at`.

mod addressing;
mod opt_out;
mod outbound;
mod redrive;

pub(crate) use opt_out::inbound_event;
pub use opt_out::INBOUND_EVENT_MS;
pub use outbound::DeliveryRecord;

use super::keys;
use super::{from_item, key, Dynamo, Item, StoreError};
use crate::domain::ids::{ContactId, ConversationId, MessageId, OrgId};
use crate::ports::standard::{DeliveryChange, PracticeChannel, StandardStore, Thread};
use crate::standard::model::{Address, DueSend, MessageRef, Outbound, StandardChannel};
use async_trait::async_trait;
use serde::{Deserialize, Serialize};

/// `CHANNEL#sms#+1206…` / `#CHANNEL`: a practice's own number or reply address (free pool
/// numbers carry GSI1 `POOL#sms` and no `org_id`).
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

/// `THREAD#o#sms#+1202…` / `#THREAD`: the practice's thread with one contact address.
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
    #[serde(default)]
    pub read_only: bool,
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
}

/// The port, each method in the file of its concern.
#[async_trait]
impl StandardStore for Dynamo {
    async fn load_outbound(&self, refs: &[MessageRef]) -> Result<Vec<Outbound>, StoreError> {
        outbound::load_outbound(self, refs).await
    }

    async fn record_sent(
        &self,
        message: &MessageRef,
        provider_id: &str,
        at_ms: i64,
    ) -> Result<bool, StoreError> {
        outbound::record_sent(self, message, provider_id, at_ms).await
    }

    async fn advance_delivery(&self, change: &DeliveryChange) -> Result<bool, StoreError> {
        outbound::advance_delivery(self, change).await
    }

    async fn due_sends(&self, now_ms: i64, limit: i32) -> Result<Vec<DueSend>, StoreError> {
        redrive::due_sends(self, now_ms, limit).await
    }

    async fn lease_send(&self, due: &DueSend, until_ms: i64) -> Result<bool, StoreError> {
        redrive::lease_send(self, due, until_ms).await
    }

    async fn practice_by_address(
        &self,
        address: &Address,
    ) -> Result<Option<PracticeChannel>, StoreError> {
        addressing::practice_by_address(self, address).await
    }

    async fn thread(&self, org: &OrgId, address: &Address) -> Result<Option<Thread>, StoreError> {
        addressing::thread(self, org, address).await
    }

    async fn contact_with(
        &self,
        org: &OrgId,
        address: &Address,
    ) -> Result<Option<ContactId>, StoreError> {
        addressing::contact_with(self, org, address).await
    }

    async fn conversation_with(
        &self,
        org: &OrgId,
        conversation: &ConversationId,
        address: &Address,
    ) -> Result<bool, StoreError> {
        addressing::conversation_with(self, org, conversation, address).await
    }

    async fn set_opt_out(
        &self,
        org: &OrgId,
        address: &Address,
        opted_out: bool,
        at_ms: i64,
    ) -> Result<(), StoreError> {
        opt_out::set_opt_out(self, org, address, opted_out, at_ms).await
    }

    async fn claim_event(&self, provider_id: &str, at_ms: i64) -> Result<bool, StoreError> {
        opt_out::claim_event(self, provider_id, at_ms).await
    }

    async fn release_event(&self, provider_id: &str) -> Result<(), StoreError> {
        opt_out::release_event(self, provider_id).await
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
