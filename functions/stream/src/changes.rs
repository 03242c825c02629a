//! Stream records → the changes notifications and sync react to: a new message (`M#`
//! insert), a read-horizon move (`R#` receipt insert; a group reader's carries its count),
//! and a conversation meta insert or
//! modification (with both images). Only the fields used are read (never message text,
//! which stays in the image untouched).

use aws_lambda_events::event::dynamodb::EventRecord;
use canopy_shared::domain::ids::{AccountId, ConversationId, MessageId, OrgId, SenderId};
use canopy_shared::sync::model::padded_source;
use serde::Deserialize;
use std::collections::BTreeMap;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Change {
    Message {
        conversation: ConversationId,
        message: MessageId,
        sender: SenderId,
        sent_at: i64,
    },
    Read {
        conversation: ConversationId,
        reader: AccountId,
        through: MessageId,
        at: i64,
        /// A group reader's receipt: the messages their horizon covers, folded into the
        /// conversation's `read_counts` (`crate::sync::fold_group_horizons`).
        count: Option<i64>,
    },
    Meta {
        old: Option<Box<MetaImage>>,
        new: Box<MetaImage>,
    },
}

impl Change {
    pub fn conversation(&self) -> ConversationId {
        match self {
            Change::Message { conversation, .. } | Change::Read { conversation, .. } => {
                *conversation
            }
            Change::Meta { new, .. } => new.id,
        }
    }
}

/// A change with its stream position (zero-padded sequence number).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sourced {
    pub source: String,
    pub change: Change,
}

#[derive(Deserialize)]
struct MessageImage {
    id: MessageId,
    conversation_id: ConversationId,
    sender_id: SenderId,
    sent_at: i64,
}

#[derive(Deserialize)]
struct ReceiptImage {
    reader: AccountId,
    through: MessageId,
    at: i64,
    #[serde(default)]
    count: Option<i64>,
}

/// The conversation meta fields the feed and the inbox rows use.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct MetaImage {
    pub id: ConversationId,
    pub org_id: OrgId,
    #[serde(default)]
    pub subject: Option<String>,
    pub state: String,
    pub read_only: bool,
    #[serde(default)]
    pub participant_ids: Vec<AccountId>,
    #[serde(default)]
    pub message_count: i64,
    #[serde(default)]
    pub read_counts: BTreeMap<String, i64>,
    #[serde(default)]
    pub last_message_at: Option<i64>,
    #[serde(default)]
    pub preview: Option<String>,
    pub last_activity: i64,
}

impl MetaImage {
    /// Whether what the feed reports as a conversation change differs.
    pub fn differs_for_feed(&self, other: &MetaImage) -> bool {
        self.subject != other.subject
            || self.state != other.state
            || self.read_only != other.read_only
            || self.participant_ids != other.participant_ids
    }
}

/// The change a record carries: `Ok(None)` for records of no interest here, `Err` for a
/// record of interest that does not have the shape we write (logged and skipped).
pub fn parse(record: &EventRecord) -> Result<Option<Sourced>, &'static str> {
    let key = |name: &str| match record.change.keys.get(name) {
        Some(serde_dynamo::AttributeValue::S(v)) => Some(v.as_str()),
        _ => None,
    };
    let (Some(pk), Some(sk)) = (key("pk"), key("sk")) else {
        return Ok(None);
    };
    if !pk.starts_with("CONV#") {
        return Ok(None);
    }
    let insert = record.event_name == "INSERT";
    let image = || record.change.new_image.clone();
    let change = if insert && sk.starts_with("M#") {
        let m: MessageImage = serde_dynamo::from_item(image()).map_err(|_| "message image")?;
        Change::Message {
            conversation: m.conversation_id,
            message: m.id,
            sender: m.sender_id,
            sent_at: m.sent_at,
        }
    } else if insert && sk.starts_with("R#") {
        let r: ReceiptImage = serde_dynamo::from_item(image()).map_err(|_| "receipt image")?;
        let conversation = pk["CONV#".len()..].parse().map_err(|_| "receipt key")?;
        Change::Read {
            conversation,
            reader: r.reader,
            through: r.through,
            at: r.at,
            count: r.count,
        }
    } else if sk == "#META" && (insert || record.event_name == "MODIFY") {
        let new: MetaImage = serde_dynamo::from_item(image()).map_err(|_| "meta image")?;
        let old = if insert {
            None
        } else {
            let old: MetaImage = serde_dynamo::from_item(record.change.old_image.clone())
                .map_err(|_| "meta old image")?;
            Some(Box::new(old))
        };
        Change::Meta {
            old,
            new: Box::new(new),
        }
    } else {
        return Ok(None);
    };
    let sequence = record
        .change
        .sequence_number
        .as_deref()
        .ok_or("no sequence number")?;
    Ok(Some(Sourced {
        source: padded_source(sequence),
        change,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use aws_lambda_events::event::dynamodb::Event;
    use serde_json::{json, Value};

    fn record(name: &str, keys: Value, new: Value, old: Option<Value>) -> EventRecord {
        let mut body = json!({"Keys": keys, "NewImage": new, "SequenceNumber": "4200",
                              "SizeBytes": 1, "StreamViewType": "NEW_AND_OLD_IMAGES"});
        if let Some(o) = old {
            body["OldImage"] = o;
        }
        let event: Event = serde_json::from_value(json!({"Records": [{
            "eventID": "1", "eventName": name, "eventVersion": "1.1",
            "eventSource": "aws:dynamodb", "awsRegion": "us-east-1", "dynamodb": body}]}))
        .unwrap();
        event.records.into_iter().next().unwrap()
    }

    fn meta(c: &ConversationId, subject: &str) -> Value {
        json!({"id": {"S": c.to_string()}, "org_id": {"S": OrgId::generate().to_string()},
               "subject": {"S": subject}, "state": {"S": "active"}, "read_only": {"BOOL": false},
               "participant_ids": {"L": []}, "message_count": {"N": "2"},
               "read_counts": {"M": {}}, "last_activity": {"N": "5"}})
    }

    #[test]
    fn messages_receipts_and_metas_are_read_others_ignored() {
        let c = ConversationId::generate();
        let (m, a) = (MessageId::generate(), AccountId::generate());
        let keys = json!({"pk": {"S": format!("CONV#{c}")}, "sk": {"S": format!("M#{m}")}});
        let image = json!({"id": {"S": m.to_string()}, "conversation_id": {"S": c.to_string()},
                           "sender_id": {"S": a.to_string()}, "sent_at": {"N": "7"},
                           "text": {"S": "private"}});
        let parsed = parse(&record("INSERT", keys, image, None))
            .unwrap()
            .unwrap();
        assert_eq!(parsed.source, format!("{:0>40}", "4200"));
        assert!(matches!(parsed.change, Change::Message { sent_at: 7, .. }));

        let keys = json!({"pk": {"S": format!("CONV#{c}")}, "sk": {"S": format!("R#{m}#{a}")}});
        let image = json!({"reader": {"S": a.to_string()}, "through": {"S": m.to_string()},
                           "at": {"N": "9"}});
        let parsed = parse(&record("INSERT", keys, image, None))
            .unwrap()
            .unwrap();
        assert_eq!(parsed.change.conversation(), c);

        let keys = json!({"pk": {"S": format!("CONV#{c}")}, "sk": {"S": "#META"}});
        let parsed = parse(&record("MODIFY", keys, meta(&c, "b"), Some(meta(&c, "a"))))
            .unwrap()
            .unwrap();
        let Change::Meta {
            old: Some(old),
            new,
        } = parsed.change
        else {
            panic!("meta")
        };
        assert!(new.differs_for_feed(&old));

        let other = json!({"pk": {"S": "ORG#x"}, "sk": {"S": "#META"}});
        assert_eq!(parse(&record("MODIFY", other, json!({}), None)), Ok(None));
    }

    #[test]
    fn an_inbound_message_from_a_contact_is_a_message_change() {
        let c = ConversationId::generate();
        let (m, ct) = (
            MessageId::generate(),
            canopy_shared::domain::ids::ContactId::generate(),
        );
        let keys = json!({"pk": {"S": format!("CONV#{c}")}, "sk": {"S": format!("M#{m}")}});
        let image = json!({"id": {"S": m.to_string()}, "conversation_id": {"S": c.to_string()},
                           "sender_id": {"S": ct.to_string()}, "sent_at": {"N": "7"},
                           "direction": {"S": "inbound"}, "text": {"S": "private"}});
        let parsed = parse(&record("INSERT", keys, image, None))
            .unwrap()
            .unwrap();
        assert_eq!(
            parsed.change,
            Change::Message {
                conversation: c,
                message: m,
                sender: SenderId::Contact(ct),
                sent_at: 7
            }
        );
    }

    #[test]
    fn a_message_of_the_wrong_shape_is_an_error() {
        let c = ConversationId::generate();
        let keys = json!({"pk": {"S": format!("CONV#{c}")}, "sk": {"S": "M#x"}});
        assert!(parse(&record("INSERT", keys, json!({"id": {"N": "1"}}), None)).is_err());
    }
}
