//! Inbound standard messages into the table: appending to a conversation, or opening one
//! (with its thread item and, for an unknown sender, its contact). Each is one
//! `TransactWriteItems`; the duplicate guard `INBOUND#id` rides in it, so a replayed
//! provider event changes nothing.

use super::expr::Expr;
use super::keys;
use super::standard::{inbound_event, meta_key, thread_key, StandardMeta};
use super::tx::{Tx, TxError};
use super::{bool_av, from_item, n, s, Dynamo, StoreError};
use crate::contacts::ContactItem;
use crate::conversations::{new_conversation, ConversationKind, NewConversation};
use crate::domain::contact_info::DisplayName;
use crate::domain::ids::{ContactId, ConversationId, MessageId};
use crate::ports::standard::{Appended, NewInbound, OpenThread};
use crate::services::audit::AuditEvent;
use crate::standard::model::{Address, Direction, StandardChannel};
use serde::Serialize;

/// An inbound message item (`CONV#c` / `M#m`): the sender is the conversation's contact.
#[derive(Debug, Serialize)]
struct InboundMessageItem<'a> {
    pk: String,
    sk: String,
    id: MessageId,
    conversation_id: ConversationId,
    sender_id: String,
    text: &'a str,
    client_message_id: String,
    sent_at: i64,
    direction: Direction,
}

fn message_item<'a>(i: &NewInbound<'a>) -> InboundMessageItem<'a> {
    InboundMessageItem {
        pk: keys::conversation_pk(&i.conversation_id),
        sk: keys::message_sk(&i.message_id),
        id: i.message_id,
        conversation_id: i.conversation_id,
        sender_id: i.contact_id.to_string(),
        text: i.text,
        client_message_id: format!("inbound:{}", i.provider_id),
        sent_at: i.at_ms,
        direction: Direction::Inbound,
    }
}

fn audit<'a>(i: &'a NewInbound<'_>, targets: Vec<String>) -> AuditEvent<'a> {
    AuditEvent {
        actor: None,
        role: None,
        org: Some(&i.org_id),
        action: "message.inbound",
        targets,
        request_id: i.provider_id,
        outcome: "ok",
    }
}

/// Appends to an existing standard conversation of the practice.
pub(crate) async fn append(db: &Dynamo, i: &NewInbound<'_>) -> Result<Appended, StoreError> {
    let mut tx = Tx::new();
    tx.put_new("dedupe", &inbound_event(i.provider_id, i.at_ms))?;
    let mut e = Expr::present();
    e.name("#kind", "kind")
        .name("#org", "org_id")
        .name("#last", "last_message_id")
        .name("#mc", "message_count")
        .name("#lmat", "last_message_at")
        .name("#act", "last_activity")
        .name("#preview", "preview")
        .name("#g1sk", "gsi1sk")
        .name("#g2sk", "gsi2sk")
        .name("#ro", "read_only")
        .value(":no", bool_av(false))
        .value(":kind", s("standard"))
        .value(":org", s(i.org_id.to_string()))
        .value(":null_type", s("NULL"))
        .value(":m", s(i.message_id.to_string()))
        .value(":zero", n(0))
        .value(":one", n(1))
        .value(":now", n(i.at_ms))
        .value(":preview", s(&i.preview))
        .value(":act_sk", s(keys::activity_sk(i.at_ms, &i.conversation_id)));
    e.and("#kind = :kind AND #org = :org")
        .and("attribute_not_exists(#ro) OR #ro = :no")
        .and("attribute_not_exists(#last) OR attribute_type(#last, :null_type) OR #last < :m");
    tx.update(
        "meta",
        meta_key(&i.conversation_id),
        "SET #mc = if_not_exists(#mc, :zero) + :one, #last = :m, #lmat = :now, #act = :now, \
         #preview = :preview, #g1sk = :act_sk, #g2sk = :act_sk",
        e,
    )?;
    tx.put_new("message", &message_item(i))?;
    tx.audit(
        &audit(
            i,
            vec![i.conversation_id.to_string(), i.message_id.to_string()],
        ),
        i.at_ms,
    )?;
    match db.commit(tx).await {
        Ok(()) => Ok(Appended::Stored),
        Err(TxError::Refused("dedupe")) => Ok(Appended::Duplicate),
        Err(TxError::Refused("meta")) | Err(TxError::Refused("message")) => {
            let meta = db
                .get(meta_key(&i.conversation_id))
                .await?
                .map(from_item::<StandardMeta>)
                .transpose()?
                .ok_or_else(|| StoreError::Corrupt("thread names a missing conversation".into()))?;
            if meta.read_only {
                return Ok(Appended::ReadOnly);
            }
            Ok(Appended::Stale(
                meta.last_message_id.unwrap_or(i.message_id),
            ))
        }
        Err(TxError::Refused(_)) => Ok(Appended::ThreadExists),
        Err(TxError::Store(e)) => Err(e),
    }
}

/// The name of a contact created for an unknown sender: their number or address.
fn name_for(address: &Address) -> DisplayName {
    DisplayName::from_trusted(address.key())
}

/// Opens a standard conversation with its first inbound message.
pub(crate) async fn open(db: &Dynamo, o: &OpenThread<'_>) -> Result<Appended, StoreError> {
    let i = &o.first;
    let org = o.practice.org_id;
    let contact: ContactId = o.existing_contact.unwrap_or(i.contact_id);
    let current = db.thread_item(&org, o.from).await?;
    // Another inbound message opened (or replaced) the thread's conversation first.
    if current.as_ref().and_then(|t| t.latest_conversation_id) != o.replacing {
        return Ok(Appended::ThreadExists);
    }
    let opted_out = current.as_ref().is_some_and(|t| t.opted_out);
    let channel = o.from.channel();
    let (mut meta, _) = new_conversation(
        NewConversation {
            id: i.conversation_id,
            org_id: org,
            kind: ConversationKind::Standard,
            subject: None,
            tags: vec![],
            state: crate::conversations::ConversationState::Active,
            identity: None,
            contact_match: None,
            link_id: None,
            contact_ids: vec![contact],
            channel: Some(match channel {
                StandardChannel::Sms => crate::conversations::Channel::Sms,
                StandardChannel::Email => crate::conversations::Channel::Email,
            }),
            participants: vec![],
            created_by: None,
        },
        i.at_ms,
    );
    meta.message_count = 1;
    meta.last_message_id = Some(i.message_id);
    meta.last_message_at = Some(i.at_ms);
    meta.preview = Some(i.preview.clone());

    let mut tx = Tx::new();
    tx.put_new("dedupe", &inbound_event(i.provider_id, i.at_ms))?;
    meta.to = Some(o.from.key());
    meta.from_address = Some(o.practice.address.key());
    meta.opted_out = opted_out;
    meta.opted_out_at = current.as_ref().and_then(|t| t.opted_out_at);
    tx.put_new("conversation", &meta)?;
    tx.put_new("message", &message_item(i))?;
    let mut e = match &current {
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
        .name("#ct", "contact_id")
        .name("#latest", "latest_conversation_id")
        .name("#all", "conversation_ids")
        .name("#oo", "opted_out")
        .value(":org", s(org.to_string()))
        .value(":ch", s(channel.as_str()))
        .value(":addr", s(o.from.key()))
        .value(":ct", s(contact.to_string()))
        .value(":c", s(i.conversation_id.to_string()))
        .value(":clist", super::to_attribute(&vec![i.conversation_id])?)
        .value(":empty", super::to_attribute(&Vec::<String>::new())?)
        .value(":false", bool_av(false))
        .value(":one", n(1))
        .value(":zero", n(0));
    tx.update(
        "thread",
        thread_key(&org, o.from),
        "SET #org = :org, #ch = :ch, #addr = :addr, #ct = if_not_exists(#ct, :ct), \
         #latest = :c, #all = list_append(if_not_exists(#all, :empty), :clist), \
         #oo = if_not_exists(#oo, :false), #rev = if_not_exists(#rev, :zero) + :one",
        e,
    )?;
    match o.existing_contact {
        None => {
            let (phone, email) = match o.from {
                Address::Phone(p) => (Some(p.clone()), None),
                Address::Email(m) => (None, Some(m.clone())),
            };
            let mut item = ContactItem::new(&org, contact, name_for(o.from), phone, email, i.at_ms);
            item.conversation_ids = vec![i.conversation_id];
            tx.put_new("contact", &item)?;
        }
        Some(existing) => {
            let mut e = Expr::present();
            e.name("#cids", "conversation_ids")
                .value(":clist", super::to_attribute(&vec![i.conversation_id])?)
                .value(":empty", super::to_attribute(&Vec::<String>::new())?);
            tx.update(
                "contact",
                crate::adapters::dynamo::contacts::contact_key(&org, &existing),
                "SET #cids = list_append(if_not_exists(#cids, :empty), :clist)",
                e,
            )?;
        }
    }
    tx.audit(
        &audit(
            i,
            vec![
                i.conversation_id.to_string(),
                i.message_id.to_string(),
                contact.to_string(),
            ],
        ),
        i.at_ms,
    )?;
    match db.commit(tx).await {
        Ok(()) => Ok(Appended::Stored),
        Err(TxError::Refused("dedupe")) => Ok(Appended::Duplicate),
        Err(TxError::Refused(_)) => Ok(Appended::ThreadExists),
        Err(TxError::Store(e)) => Err(e),
    }
}
