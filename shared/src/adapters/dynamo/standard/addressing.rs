//! Who an inbound address belongs to: the practice owning a number or reply address, the
//! practice's thread and contact for a sender's address, and whether a conversation is the
//! one with that address. Each is one GetItem or one Query.

use super::{meta_key, ChannelItem, OrgName, StandardMeta};
use crate::adapters::dynamo::{from_item, get_s, key, keys, s, Dynamo, StoreError};
use crate::domain::ids::{ContactId, ConversationId, OrgId};
use crate::ports::standard::{PracticeChannel, Thread};
use crate::standard::model::Address;

/// The practice a number or reply address belongs to, with its name.
pub(super) async fn practice_by_address(
    store: &Dynamo,
    address: &Address,
) -> Result<Option<PracticeChannel>, StoreError> {
    let k = key(
        keys::channel_pk(address.channel().as_str(), &address.key()),
        keys::CHANNEL_SK,
    );
    let Some(item) = store.get(k).await? else {
        return Ok(None);
    };
    let channel: ChannelItem = from_item(item)?;
    let Some(org) = channel.org_id else {
        return Ok(None);
    };
    let name = match store
        .get(key(keys::org_pk(&org), keys::ORG_META_SK))
        .await?
    {
        Some(item) => from_item::<OrgName>(item)?.name,
        None => return Ok(None),
    };
    Ok(Some(PracticeChannel {
        org_id: org,
        practice_name: name,
        address: address.clone(),
    }))
}

/// The practice's thread with `address`, once it has a contact.
pub(super) async fn thread(
    store: &Dynamo,
    org: &OrgId,
    address: &Address,
) -> Result<Option<Thread>, StoreError> {
    Ok(store.thread_item(org, address).await?.and_then(|t| {
        Some(Thread {
            org_id: t.org_id,
            address: address.clone(),
            contact_id: t.contact_id?,
            latest_conversation_id: t.latest_conversation_id,
            opted_out: t.opted_out,
        })
    }))
}

/// The first contact of the practice with this phone or email (GSI2 / GSI3 prefix).
pub(super) async fn contact_with(
    store: &Dynamo,
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
    let out = store
        .client()
        .query()
        .table_name(store.table())
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

/// Whether `conversation` is the practice's standard conversation with `address`.
pub(super) async fn conversation_with(
    store: &Dynamo,
    org: &OrgId,
    conversation: &ConversationId,
    address: &Address,
) -> Result<bool, StoreError> {
    let Some(item) = store.get(meta_key(conversation)).await? else {
        return Ok(false);
    };
    let meta: StandardMeta = from_item(item)?;
    Ok(&meta.org_id == org
        && meta.channel == Some(address.channel())
        && meta.to.as_deref() == Some(address.key().as_str()))
}
