//! The click counter of a link, sharded so that no single item takes a link's whole click
//! rate. One DynamoDB item takes about 1,000 writes a second; a link printed in a TV ad
//! can get 5,000 clicks a second on one code. So a click never writes the link item:
//!
//! - it reads the link item (`CODE#code` / `#CODE`, an eventually consistent GetItem: half
//!   a read unit, ~6,000 a second per item) to answer the redirect, and
//! - concurrently adds one to one of [`CLICK_SHARDS`] counter items (`CLICKS#code#nn` /
//!   `#CLICKS`), each in its own partition, chosen round-robin from a random start per
//!   process. The shard mirrors the link's `active` flag, so a disabled (or unknown) code
//!   counts nothing, as before.
//!
//! The redirect never depends on counting: a throttled shard write (not applied) moves to
//! the next shard, up to three, without the SDK's backoff; a count that still fails is
//! logged and the click is answered all the same. Counts stay exact while the shards stay
//! under the item limit: 16 shards take ~16,000 clicks a second on one code.
//!
//! Shards are written with the link: created in the create transaction, their `active`
//! flag updated in the transaction that enables or disables it. A link created before
//! shards existed gets each shard on its first click there (one extra conditional Put).
//! Reading the counts (the practice's list, one link) is one BatchGetItem per 100 shard keys,
//! issued concurrently, summed with the total the link item itself carries (its clicks
//! from before sharding).
//!
//! Round trips: click 1 GetItem ‖ 1 UpdateItem (concurrent: one round trip; +1 UpdateItem per
//! throttled shard, at most 2); the first click
//! on a shard of a pre-sharding link +1 PutItem; counts of n links ⌈16n/100⌉ BatchGetItem
//! (concurrent).

use super::keys::{click_shard_pk as shard_pk, CLICK_SHARD_SK as SHARD_SK};
use super::{batch_get, from_items, key, s, Dynamo, Expr, Item, StoreError, Tx};
use crate::links::{Link, LinkCode};
use aws_sdk_dynamodb::operation::update_item::UpdateItemError;
use aws_sdk_dynamodb::types::ReturnValuesOnConditionCheckFailure;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::LazyLock;

/// Counter items per link.
pub const CLICK_SHARDS: usize = 16;

fn shard_key(code: &str, shard: usize) -> Item {
    key(shard_pk(code, shard), SHARD_SK)
}

/// One counter shard.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ClickShard {
    pub pk: String,
    pub sk: String,
    pub code: String,
    pub active: bool,
    #[serde(default)]
    pub clicks: i64,
    #[serde(default)]
    pub daily_clicks: BTreeMap<String, i64>,
}

impl ClickShard {
    fn new(code: &str, shard: usize, active: bool) -> Self {
        Self {
            pk: shard_pk(code, shard),
            sk: SHARD_SK.into(),
            code: code.into(),
            active,
            clicks: 0,
            daily_clicks: BTreeMap::new(),
        }
    }
}

/// The next shard this process counts on: round-robin (even within a process), from a
/// random start (even across the many processes a burst runs on).
fn next_shard() -> usize {
    static NEXT: LazyLock<AtomicUsize> = LazyLock::new(|| {
        let start = getrandom::u32().unwrap_or(0) as usize;
        AtomicUsize::new(start % CLICK_SHARDS)
    });
    NEXT.fetch_add(1, Ordering::Relaxed) % CLICK_SHARDS
}

/// The shards of a new link, in its create transaction (unconditional: the link's own
/// `put_new` in the same transaction proves the code is free).
pub fn create_shards(tx: &mut Tx, link: &Link) -> Result<(), StoreError> {
    for shard in 0..CLICK_SHARDS {
        tx.put(
            "click_shard",
            &ClickShard::new(&link.code, shard, link.active),
        )?;
    }
    Ok(())
}

/// Mirrors a link's `active` flag onto its shards, in the transaction that changes it
/// (creating the shards of a pre-sharding link, with zero counts).
pub fn set_shards_active(tx: &mut Tx, code: &str, active: bool) -> Result<(), StoreError> {
    for shard in 0..CLICK_SHARDS {
        let mut e = Expr::new("");
        e.name("#active", "active")
            .name("#code", "code")
            .name("#clicks", "clicks")
            .name("#daily", "daily_clicks")
            .value(":active", super::bool_av(active))
            .value(":code", s(code))
            .value(":zero", super::n(0))
            .value(
                ":empty",
                aws_sdk_dynamodb::types::AttributeValue::M(Default::default()),
            );
        tx.update(
            "click_shard",
            shard_key(code, shard),
            "SET #active = :active, #code = :code, #clicks = if_not_exists(#clicks, :zero), \
             #daily = if_not_exists(#daily, :empty)",
            e,
        )?;
    }
    Ok(())
}

/// Shards one click tries in turn while each is throttled, before giving up on counting it.
const SHARD_TRIES: usize = 3;

/// What one shard's count did.
enum Counted {
    Yes,
    /// The shard says the link is disabled (or the code unknown).
    Inactive,
    /// No such shard: a link from before sharding (or an unknown code).
    NoShard(usize),
    /// Every shard tried was throttled: the click is not counted.
    Throttled,
}

fn throttled<E: aws_sdk_dynamodb::error::ProvideErrorMetadata>(err: &E) -> bool {
    matches!(
        err.code(),
        Some(
            "ThrottlingException"
                | "ProvisionedThroughputExceededException"
                | "RequestLimitExceeded"
        )
    )
}

impl Dynamo {
    /// The click: the link (eventually consistent) and the count, concurrently. `None` for
    /// unknown and disabled codes.
    pub(super) async fn click(
        &self,
        code: &LinkCode,
        day: &str,
    ) -> Result<Option<Link>, StoreError> {
        let code = code.as_str();
        let (link, counted) = tokio::join!(
            self.link_item(code, false),
            self.count(code, next_shard(), day)
        );
        let Some(link) = link?.filter(|l| l.active) else {
            return Ok(None);
        };
        let counted = match counted {
            Ok(Counted::NoShard(shard)) => self.first_click_on_shard(code, shard, day).await,
            Ok(Counted::Throttled) => Err(StoreError::Unavailable),
            other => other.map(|_| ()),
        };
        if let Err(err) = counted {
            tracing::warn!(error = %err, "click answered but not counted");
        }
        Ok(Some(link))
    }

    /// Counts on `first`, and on the next shards while each is throttled: a throttled write
    /// was not applied, and another shard is another item. The SDK's own retries (backoff
    /// on the same hot item) are off for these writes, so a hot shard costs the click one
    /// more round trip, not seconds.
    async fn count(&self, code: &str, first: usize, day: &str) -> Result<Counted, StoreError> {
        for attempt in 0..SHARD_TRIES {
            let shard = (first + attempt) % CLICK_SHARDS;
            match self.count_on_shard(code, shard, day).await? {
                Counted::Throttled => continue,
                done => return Ok(done),
            }
        }
        Ok(Counted::Throttled)
    }

    async fn count_on_shard(
        &self,
        code: &str,
        shard: usize,
        day: &str,
    ) -> Result<Counted, StoreError> {
        let result = self
            .client()
            .update_item()
            .table_name(self.table())
            .set_key(Some(shard_key(code, shard)))
            .update_expression(
                "SET #clicks = if_not_exists(#clicks, :zero) + :one, \
                 #daily.#day = if_not_exists(#daily.#day, :zero) + :one",
            )
            .condition_expression("#active = :yes")
            .expression_attribute_names("#active", "active")
            .expression_attribute_names("#clicks", "clicks")
            .expression_attribute_names("#daily", "daily_clicks")
            .expression_attribute_names("#day", day)
            .expression_attribute_values(":zero", super::n(0))
            .expression_attribute_values(":one", super::n(1))
            .expression_attribute_values(":yes", super::bool_av(true))
            .return_values_on_condition_check_failure(ReturnValuesOnConditionCheckFailure::AllOld)
            .customize()
            .config_override(
                aws_sdk_dynamodb::config::Builder::default()
                    .retry_config(aws_sdk_dynamodb::config::retry::RetryConfig::disabled()),
            )
            .send()
            .await;
        match result {
            Ok(_) => Ok(Counted::Yes),
            Err(err) => match err.as_service_error() {
                Some(UpdateItemError::ConditionalCheckFailedException(failed)) => {
                    Ok(if failed.item().is_some() {
                        Counted::Inactive
                    } else {
                        Counted::NoShard(shard)
                    })
                }
                Some(e) if throttled(e) => Ok(Counted::Throttled),
                _ => Err(err.into()),
            },
        }
    }

    /// The first click on a shard of a link created before shards existed: create the
    /// shard with this click (or, if another click just created it, count on it).
    async fn first_click_on_shard(
        &self,
        code: &str,
        shard: usize,
        day: &str,
    ) -> Result<(), StoreError> {
        let mut first = ClickShard::new(code, shard, true);
        first.clicks = 1;
        first.daily_clicks.insert(day.to_string(), 1);
        let put = self
            .client()
            .put_item()
            .table_name(self.table())
            .set_item(Some(super::to_item(&first)?))
            .condition_expression("attribute_not_exists(pk)")
            .send()
            .await;
        match put.map_err(StoreError::from) {
            Err(StoreError::ConditionFailed) => match self.count(code, shard, day).await? {
                Counted::Throttled => Err(StoreError::Unavailable),
                _ => Ok(()),
            },
            other => other.map(|_| ()),
        }
    }

    /// `links` with their shards' counts added (one BatchGetItem per 100 keys, concurrent).
    pub(super) async fn with_click_counts(
        &self,
        mut links: Vec<Link>,
    ) -> Result<Vec<Link>, StoreError> {
        let keys: Vec<Item> = links
            .iter()
            .flat_map(|l| (0..CLICK_SHARDS).map(|shard| shard_key(&l.code, shard)))
            .collect();
        let reads = keys
            .chunks(100)
            .map(|chunk| batch_get(self.client(), self.table(), chunk.to_vec(), true));
        let found = futures::future::try_join_all(reads).await?;
        let shards: Vec<ClickShard> = from_items(found.into_iter().flatten().collect())?;
        let mut by_code: BTreeMap<&str, Vec<&ClickShard>> = BTreeMap::new();
        for shard in &shards {
            by_code.entry(shard.code.as_str()).or_default().push(shard);
        }
        for link in &mut links {
            for shard in by_code.get(link.code.as_str()).into_iter().flatten() {
                link.clicks += shard.clicks;
                for (day, n) in &shard.daily_clicks {
                    *link.daily_clicks.entry(day.clone()).or_default() += n;
                }
            }
        }
        Ok(links)
    }
}
