//! The pool of practice channels: origination numbers the deployment owns (seeded as
//! free `CHANNEL#sms#…` items, listed on GSI1 `POOL#sms`) and reply addresses (made per
//! practice on the reply domain, no pool needed).
//!
//! A practice gets its number and reply address when its signup completes
//! (`practice::sign_up`): one Query (a few free numbers, GSI1) before the signup's
//! transaction, which takes one ([`take_number`]: set the practice, leave the index, only
//! if still free) and puts the reply address ([`reply_item`], only if absent); a number
//! another practice took first cancels the transaction and the next one is tried.

use super::expr::Expr;
use super::keys;
use super::standard::ChannelItem;
use super::tx::{Tx, TxError};
use super::{key, s, to_item, Dynamo, Item, StoreError};
use crate::domain::contact_info::{EmailAddress, PhoneNumber};
use crate::domain::ids::OrgId;
use crate::standard::model::StandardChannel;

const SMS: &str = "sms";

impl Dynamo {
    /// Adds free numbers to the pool; numbers already there (free or taken) are left alone.
    pub async fn seed_sms_pool(&self, numbers: &[PhoneNumber]) -> Result<usize, StoreError> {
        let mut added = 0;
        for chunk in numbers.chunks(25) {
            let puts = chunk.iter().map(|number| async move {
                let item = ChannelItem {
                    pk: keys::channel_pk(SMS, number.as_str()),
                    sk: keys::CHANNEL_SK.into(),
                    channel: StandardChannel::Sms,
                    address: number.as_str().into(),
                    org_id: None,
                    gsi1pk: Some(keys::channel_pool_pk(SMS)),
                    gsi1sk: Some(number.as_str().into()),
                };
                let result = self
                    .client()
                    .put_item()
                    .table_name(self.table())
                    .set_item(Some(to_item(&item)?))
                    .condition_expression("attribute_not_exists(pk)")
                    .send()
                    .await;
                match result.map_err(StoreError::from) {
                    Ok(_) => Ok(1),
                    Err(StoreError::ConditionFailed) => Ok(0),
                    Err(e) => Err(e),
                }
            });
            for r in futures::future::join_all(puts).await {
                added += r?;
            }
        }
        Ok(added)
    }

    /// Up to `limit` free numbers (one Query on GSI1 `POOL#sms`), in a random order so
    /// concurrent signups that read the same page try different numbers first.
    pub async fn free_pool_numbers(&self, limit: i32) -> Result<Vec<PhoneNumber>, StoreError> {
        let out = self
            .client()
            .query()
            .table_name(self.table())
            .index_name(keys::GSI1)
            .key_condition_expression("#pk = :pk")
            .expression_attribute_names("#pk", "gsi1pk")
            .expression_attribute_values(":pk", s(keys::channel_pool_pk(SMS)))
            .limit(limit)
            .send()
            .await?;
        let mut free: Vec<PhoneNumber> = out
            .items()
            .iter()
            .filter_map(|i| super::get_s(i, "address"))
            .map(|a| PhoneNumber::from_trusted(a.to_string()))
            .collect();
        if !free.is_empty() {
            let mut start = [0u8; 1];
            let _ = getrandom::fill(&mut start);
            let by = usize::from(start[0]) % free.len();
            free.rotate_left(by);
        }
        Ok(free)
    }

    /// Takes a free number from the pool for `org` outside a signup (a practice created
    /// while the pool was empty); `None` when the pool is empty.
    pub async fn take_sms_number(&self, org: &OrgId) -> Result<Option<PhoneNumber>, StoreError> {
        for _ in 0..5 {
            let free = self.free_pool_numbers(10).await?;
            if free.is_empty() {
                return Ok(None);
            }
            for number in free {
                let (k, update, e) = take_number(org, &number);
                if self.update_if(k, &update, e).await? {
                    return Ok(Some(number));
                }
            }
        }
        Err(StoreError::Conflict)
    }

    /// Gives `org` a number now (a practice created while the pool was empty): one
    /// transaction takes a free number and sets it on the practice only if it still has
    /// none; `None` when the pool is still empty.
    pub async fn assign_sms_number(&self, org: &OrgId) -> Result<Option<String>, StoreError> {
        for _ in 0..3 {
            let free = self.free_pool_numbers(10).await?;
            if free.is_empty() {
                return Ok(None);
            }
            for number in free {
                let (k, update, e) = take_number(org, &number);
                let mut o = Expr::new("attribute_exists(#pk) AND attribute_not_exists(#sms)");
                o.name("#pk", "pk")
                    .name("#sms", "sms_number")
                    .value(":n", s(number.as_str()));
                let mut tx = Tx::new();
                tx.update("number", k, update, e)?.update(
                    "practice",
                    key(keys::org_pk(org), keys::ORG_META_SK),
                    "SET #sms = :n",
                    o,
                )?;
                match self.commit(tx).await {
                    Ok(()) => return Ok(Some(number.as_str().to_string())),
                    Err(TxError::Refused("number")) => continue,
                    // It has one by now (a concurrent start took it first), or is gone.
                    Err(TxError::Refused(_)) => {
                        let item = self.get(key(keys::org_pk(org), keys::ORG_META_SK)).await?;
                        return Ok(
                            item.and_then(|i| super::get_s(&i, "sms_number").map(str::to_string))
                        );
                    }
                    Err(TxError::Store(e)) => return Err(e),
                }
            }
        }
        Err(StoreError::Conflict)
    }

    /// Claims `address` as `org`'s reply address (`Ok(false)`: another practice has it).
    pub async fn claim_reply_address(
        &self,
        org: &OrgId,
        address: &EmailAddress,
    ) -> Result<bool, StoreError> {
        let item = to_item(&reply_item(org, address))?;
        self.put_if(item, Expr::new("attribute_not_exists(pk)"))
            .await
    }
}

/// The update that takes `number` for `org`: the number's item gets the practice and
/// leaves the pool index, only if it is in the pool and free (so no number ever goes to
/// two practices: of two writers, the second fails this condition). Key, update, condition.
pub fn take_number(org: &OrgId, number: &PhoneNumber) -> (Item, String, Expr) {
    let mut e = Expr::new("attribute_exists(#pk) AND attribute_not_exists(#org)");
    e.name("#pk", "pk")
        .name("#org", "org_id")
        .name("#g1pk", "gsi1pk")
        .name("#g1sk", "gsi1sk")
        .value(":org", s(org.to_string()));
    (
        key(keys::channel_pk(SMS, number.as_str()), keys::CHANNEL_SK),
        "SET #org = :org REMOVE #g1pk, #g1sk".to_string(),
        e,
    )
}

/// The channel item that makes `address` `org`'s reply address (put only if absent).
pub fn reply_item(org: &OrgId, address: &EmailAddress) -> ChannelItem {
    let lower = address.as_str().to_ascii_lowercase();
    ChannelItem {
        pk: keys::channel_pk("email", &lower),
        sk: keys::CHANNEL_SK.into(),
        channel: StandardChannel::Email,
        address: lower,
        org_id: Some(*org),
        gsi1pk: None,
        gsi1sk: None,
    }
}

pub use crate::practice::channels::reply_address;
