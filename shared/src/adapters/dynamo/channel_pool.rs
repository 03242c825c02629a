//! The pool of practice channels: origination numbers the deployment owns (seeded as
//! free `CHANNEL#sms#…` items, listed on GSI1 `POOL#sms`) and reply addresses (made per
//! practice on the reply domain, no pool needed).
//!
//! Round trips to give a practice a number: one Query (a few free numbers, GSI1) + one
//! conditional UpdateItem (take one: set the practice, leave the index); a number another
//! practice took first fails its condition and the next one is tried. A reply address is
//! one conditional PutItem.

use super::expr::Expr;
use super::keys;
use super::standard::ChannelItem;
use super::{key, s, to_item, Dynamo, StoreError};
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

    /// Takes a free number from the pool for `org`; `None` when the pool is empty.
    pub async fn take_sms_number(&self, org: &OrgId) -> Result<Option<PhoneNumber>, StoreError> {
        for _ in 0..5 {
            let out = self
                .client()
                .query()
                .table_name(self.table())
                .index_name(keys::GSI1)
                .key_condition_expression("#pk = :pk")
                .expression_attribute_names("#pk", "gsi1pk")
                .expression_attribute_values(":pk", s(keys::channel_pool_pk(SMS)))
                .limit(10)
                .send()
                .await?;
            let free: Vec<String> = out
                .items()
                .iter()
                .filter_map(|i| super::get_s(i, "address").map(str::to_string))
                .collect();
            if free.is_empty() {
                return Ok(None);
            }
            // Concurrent signups start from the same page: begin at a random place in it.
            let mut start = [0u8; 1];
            let _ = getrandom::fill(&mut start);
            for i in 0..free.len() {
                let number = &free[(usize::from(start[0]) + i) % free.len()];
                let mut e = Expr::new("attribute_exists(#pk) AND attribute_not_exists(#org)");
                e.name("#pk", "pk")
                    .name("#org", "org_id")
                    .name("#g1pk", "gsi1pk")
                    .name("#g1sk", "gsi1sk")
                    .value(":org", s(org.to_string()));
                let taken = self
                    .conditional_update(
                        key(keys::channel_pk(SMS, number), keys::CHANNEL_SK),
                        "SET #org = :org REMOVE #g1pk, #g1sk",
                        e,
                    )
                    .await?;
                if taken {
                    return Ok(Some(PhoneNumber::from_trusted(number.clone())));
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
        let item = ChannelItem {
            pk: keys::channel_pk("email", &address.as_str().to_ascii_lowercase()),
            sk: keys::CHANNEL_SK.into(),
            channel: StandardChannel::Email,
            address: address.as_str().to_ascii_lowercase(),
            org_id: Some(*org),
            gsi1pk: None,
            gsi1sk: None,
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
            Ok(_) => Ok(true),
            Err(StoreError::ConditionFailed) => Ok(false),
            Err(e) => Err(e),
        }
    }
}

/// A practice's reply address on `domain`: a readable slug of its name and a short suffix
/// from its id (`maple-clinic-3k9q@reply.canopy.care`); `attempt` varies the suffix when a
/// claim collides.
pub fn reply_address(
    name: &str,
    org: &OrgId,
    domain: &str,
    attempt: usize,
) -> Option<EmailAddress> {
    let slug: String = name
        .to_ascii_lowercase()
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join("-")
        .chars()
        .take(30)
        .collect();
    let id = org.ulid().to_string().to_ascii_lowercase();
    let suffix = &id[id.len() - 4 - attempt.min(8)..id.len() - attempt.min(8)];
    let local = if slug.is_empty() {
        format!("practice-{suffix}")
    } else {
        format!("{}-{suffix}", slug.trim_matches('-'))
    };
    EmailAddress::parse(&format!("{local}@{domain}")).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reply_addresses_are_readable_and_vary_by_attempt() {
        let org = OrgId::generate();
        let a = reply_address("Maple Street Clinic", &org, "reply.example", 0).unwrap();
        assert!(
            a.as_str().starts_with("maple-street-clinic-"),
            "{}",
            a.as_str()
        );
        assert!(a.as_str().ends_with("@reply.example"));
        let b = reply_address("Maple Street Clinic", &org, "reply.example", 1).unwrap();
        assert_ne!(a, b);
        assert!(reply_address("  ", &org, "reply.example", 0).is_some());
    }
}
