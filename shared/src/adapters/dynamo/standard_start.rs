//! Staff starting a standard conversation (`conversations::create`): what it starts from
//! (the practice's own number or reply address, the contact address's opt-out) and the
//! slot that links it into the practice's thread with that address, so replies thread
//! into it and a STOP opts it out like any other.

use super::expr::Expr;
use super::keys;
use super::standard::{thread_key, ThreadItem};
use super::tx::Tx;
use super::{bool_av, from_item, key, n, s, to_attribute, Dynamo, StoreError};
use crate::conversations::{Channel, Conversation};
use crate::domain::ids::OrgId;
use crate::ports::conversations::StandardStart;
use crate::standard::model::{Address, StandardChannel};
use serde::Deserialize;

/// The practice's own channels, as its item stores them.
#[derive(Deserialize)]
struct OrgChannels {
    #[serde(default)]
    sms_number: Option<String>,
    #[serde(default)]
    reply_email: Option<String>,
}

fn standard(channel: Channel) -> StandardChannel {
    match channel {
        Channel::Sms => StandardChannel::Sms,
        Channel::Email => StandardChannel::Email,
    }
}

impl Dynamo {
    /// Two GetItems, concurrent: the practice (its address for `channel`) and the thread
    /// with `to` (its opt-out). A practice without a number takes one from the pool now.
    pub(crate) async fn standard_start_for(
        &self,
        org: &OrgId,
        channel: Channel,
        to: &str,
    ) -> Result<StandardStart, StoreError> {
        let address = Address::from_stored(standard(channel), to.to_string());
        let (practice, thread) = tokio::join!(
            self.get(key(keys::org_pk(org), keys::ORG_META_SK)),
            self.thread_item(org, &address)
        );
        let practice: Option<OrgChannels> = practice?.map(from_item).transpose()?;
        let thread: Option<ThreadItem> = thread?;
        let from = match (channel, practice) {
            (_, None) => None,
            (Channel::Sms, Some(p)) => match p.sms_number {
                Some(number) => Some(number),
                None => self.assign_sms_number(org).await?,
            },
            (Channel::Email, Some(p)) => p.reply_email,
        };
        Ok(StandardStart {
            from,
            opted_out: thread.as_ref().is_some_and(|t| t.opted_out),
            opted_out_at: thread.and_then(|t| t.opted_out_at),
        })
    }
}

/// Adds slot `thread` to a new standard conversation's transaction: the thread with its
/// contact address names it as the latest conversation and lists it, under the condition
/// that the address's opt-out is still what the conversation copied (a STOP in between
/// refuses the transaction rather than leave an opted-out address open).
pub(crate) fn link_thread(tx: &mut Tx, c: &Conversation) -> Result<(), StoreError> {
    let (Some(channel), Some(to), Some(contact)) = (c.channel, &c.to, c.contact_ids.first()) else {
        return Ok(());
    };
    let address = Address::from_stored(standard(channel), to.clone());
    let mut e = if c.opted_out {
        Expr::new("#oo = :true")
    } else {
        Expr::new("attribute_not_exists(#oo) OR #oo = :false")
    };
    if c.opted_out {
        e.value(":true", bool_av(true));
    }
    e.name("#rev", "rev")
        .name("#org", "org_id")
        .name("#ch", "channel")
        .name("#addr", "address")
        .name("#ct", "contact_id")
        .name("#latest", "latest_conversation_id")
        .name("#all", "conversation_ids")
        .name("#oo", "opted_out")
        .value(":org", s(c.org_id.to_string()))
        .value(":ch", s(address.channel().as_str()))
        .value(":addr", s(address.key()))
        .value(":ct", s(contact.to_string()))
        .value(":c", s(c.id.to_string()))
        .value(":clist", to_attribute(&vec![c.id])?)
        .value(":empty", to_attribute(&Vec::<String>::new())?)
        .value(":false", bool_av(false))
        .value(":one", n(1))
        .value(":zero", n(0));
    tx.update(
        "thread",
        thread_key(&c.org_id, &address),
        "SET #org = :org, #ch = :ch, #addr = :addr, #ct = if_not_exists(#ct, :ct), \
         #latest = :c, #all = list_append(if_not_exists(#all, :empty), :clist), \
         #oo = if_not_exists(#oo, :false), #rev = if_not_exists(#rev, :zero) + :one",
        e,
    )?;
    Ok(())
}
