//! The conversation reads: single items by key (GetItem) and the partition's ranges
//! (Query): a messages page is `sk BETWEEN M# AND M#~` descending, one Query; a reader's
//! first receipt at or past a message is one `Limit 1` Query on their GSI3 partition.

use super::items::{ConversationItem, IdempotencyItem, MessageItem, ReceiptItem};
use crate::adapters::dynamo::practice::AccountItem;
use crate::adapters::dynamo::{self, batch_get, cursor, key, keys, s, Dynamo, Item, StoreError};
use crate::conversations::{ClientMessageId, Conversation, Message, PostRecord, Receipt};
use crate::domain::ids::{AccountId, ConversationId, MessageId, OrgId, SenderId};
use crate::ports::conversations::{ListError, Listing, MessagesFrom, ResumeAt};
use aws_sdk_dynamodb::types::Select;
use serde::de::DeserializeOwned;
use std::collections::BTreeMap;

pub(super) fn resume_item(at: ResumeAt) -> Item {
    at.0.into_iter().map(|(k, v)| (k, s(v))).collect()
}

pub(super) fn resume_at(item: Item) -> ResumeAt {
    ResumeAt(
        item.into_iter()
            .filter_map(|(k, v)| v.as_s().ok().map(|v| (k, v.clone())))
            .collect(),
    )
}

impl Dynamo {
    /// One item by key, strongly consistent.
    async fn get_one<T: DeserializeOwned>(&self, key: Item) -> Result<Option<T>, StoreError> {
        let out = self
            .client()
            .get_item()
            .table_name(self.table())
            .set_key(Some(key))
            .consistent_read(true)
            .send()
            .await?;
        out.item.map(dynamo::from_item).transpose()
    }

    pub(super) async fn get_conversation(
        &self,
        id: &ConversationId,
    ) -> Result<Option<Conversation>, StoreError> {
        let item: Option<ConversationItem> = self.get_one(ConversationItem::key_for(id)).await?;
        Ok(item.map(ConversationItem::into_model))
    }

    pub(super) async fn get_post_record(
        &self,
        sender: &AccountId,
        client_key: &ClientMessageId,
    ) -> Result<Option<PostRecord>, StoreError> {
        let pk = keys::idempotency_pk(sender, client_key.as_str());
        let item: Option<IdempotencyItem> = self.get_one(key(pk, keys::IDEMPOTENCY_SK)).await?;
        Ok(item.map(IdempotencyItem::into_model))
    }

    pub(super) async fn get_message(
        &self,
        conversation: &ConversationId,
        id: &MessageId,
    ) -> Result<Option<Message>, StoreError> {
        let k = key(keys::conversation_pk(conversation), keys::message_sk(id));
        let item: Option<MessageItem> = self.get_one(k).await?;
        Ok(item.map(MessageItem::into_model))
    }

    /// Each reader's first receipt at or past `message`: one `Limit 1` Query per reader on
    /// their GSI3 partition, all concurrent, so the read is bounded by the number of readers
    /// (the group and the link's staff), never by the receipts that came after.
    pub(super) async fn get_first_receipts_from(
        &self,
        conversation: &ConversationId,
        message: &MessageId,
        readers: &[AccountId],
    ) -> Result<Vec<Receipt>, StoreError> {
        let lookups = readers.iter().map(|reader| async move {
            let out = self
                .client()
                .query()
                .table_name(self.table())
                .index_name(keys::GSI3)
                .key_condition_expression("#pk = :pk AND #sk >= :from")
                .expression_attribute_names("#pk", "gsi3pk")
                .expression_attribute_names("#sk", "gsi3sk")
                .expression_attribute_values(
                    ":pk",
                    s(keys::reader_receipts_pk(conversation, reader)),
                )
                .expression_attribute_values(":from", s(keys::message_sk(message)))
                .limit(1)
                .send()
                .await?;
            let items: Vec<ReceiptItem> = dynamo::from_items(out.items.unwrap_or_default())?;
            Ok::<_, StoreError>(items.into_iter().next().map(ReceiptItem::into_model))
        });
        let found = futures::future::try_join_all(lookups).await?;
        Ok(found.into_iter().flatten().collect())
    }

    /// Counts with `Select COUNT` (no items read back), all pages.
    pub(super) async fn count_messages_between(
        &self,
        conversation: &ConversationId,
        after: Option<&MessageId>,
        through: &MessageId,
    ) -> Result<i64, StoreError> {
        let low = after.map_or_else(|| keys::MESSAGE_PREFIX.to_string(), keys::message_sk);
        let mut total = 0;
        let mut start = None;
        loop {
            let page = self
                .client()
                .query()
                .table_name(self.table())
                .key_condition_expression("#pk = :pk AND #sk BETWEEN :lo AND :hi")
                .expression_attribute_names("#pk", "pk")
                .expression_attribute_names("#sk", "sk")
                .expression_attribute_values(":pk", s(keys::conversation_pk(conversation)))
                .expression_attribute_values(":lo", s(low.clone()))
                .expression_attribute_values(":hi", s(keys::message_sk(through)))
                .select(Select::Count)
                .consistent_read(true)
                .set_exclusive_start_key(start)
                .send()
                .await?;
            total += i64::from(page.count);
            start = page.last_evaluated_key;
            if start.is_none() {
                break;
            }
        }
        // BETWEEN is inclusive: the previous horizon's own message was already counted.
        Ok(if after.is_some() { total - 1 } else { total })
    }

    /// A cursor must be this conversation's and point at a message key.
    pub(super) fn check_messages_start(
        &self,
        conversation: &ConversationId,
        from: &MessagesFrom,
    ) -> Result<Option<ResumeAt>, ListError> {
        let pk = keys::conversation_pk(conversation);
        Ok(match from {
            MessagesFrom::Newest => None,
            MessagesFrom::Before(id) => Some(resume_at(key(pk, keys::message_sk(id)))),
            MessagesFrom::Cursor(text) => {
                // A message key of this conversation, exactly (`M#msg_…`): inside the
                // Query's `BETWEEN M# AND M#~`.
                let message_key = |key: &cursor::KeyView<'_>| {
                    key.sk
                        .strip_prefix(keys::MESSAGE_PREFIX)
                        .and_then(|id| id.parse::<MessageId>().ok())
                        .is_some_and(|id| keys::message_sk(&id) == key.sk)
                };
                let shape = cursor::Shape {
                    partition_attr: "pk",
                    partition: &pk,
                    valid: &message_key,
                };
                Some(resume_at(
                    cursor::decode(text, &shape).map_err(|_| ListError::BadCursor)?,
                ))
            }
        })
    }

    pub(super) async fn get_messages_page(
        &self,
        conversation: &ConversationId,
        start: Option<ResumeAt>,
        limit: i32,
    ) -> Result<Listing<Message>, StoreError> {
        let page = self
            .client()
            .query()
            .table_name(self.table())
            .key_condition_expression("#pk = :pk AND #sk BETWEEN :lo AND :hi")
            .expression_attribute_names("#pk", "pk")
            .expression_attribute_names("#sk", "sk")
            .expression_attribute_values(":pk", s(keys::conversation_pk(conversation)))
            .expression_attribute_values(":lo", s(keys::MESSAGE_PREFIX))
            .expression_attribute_values(":hi", s(keys::MESSAGES_END))
            .scan_index_forward(false)
            .limit(limit)
            .set_exclusive_start_key(start.map(resume_item))
            .send()
            .await?;
        let items: Vec<MessageItem> = dynamo::from_items(page.items.unwrap_or_default())?;
        Ok(Listing {
            items: items.into_iter().map(MessageItem::into_model).collect(),
            next_cursor: page.last_evaluated_key.as_ref().map(cursor::encode),
        })
    }

    /// Names from the accounts' profiles and `org`'s contact items, in one BatchGetItem
    /// (chunks of 100).
    pub(super) async fn get_sender_names(
        &self,
        org: &OrgId,
        senders: &[SenderId],
    ) -> Result<BTreeMap<SenderId, String>, StoreError> {
        let wanted = senders
            .iter()
            .map(|s| match s {
                SenderId::Account(a) => AccountItem::key(a),
                SenderId::Contact(c) => crate::adapters::dynamo::contacts::contact_key(org, c),
            })
            .collect();
        let items = batch_get(self.client(), self.table(), wanted, false).await?;
        let mut names = BTreeMap::new();
        for item in items {
            let named: Named = dynamo::from_item(item)?;
            names.insert(named.id, named.name);
        }
        Ok(names)
    }
}

/// The id and name of a profile or a contact item.
#[derive(serde::Deserialize)]
struct Named {
    id: SenderId,
    name: String,
}
