//! The DynamoDB side of conversations and messages: the items of a `CONV#c` partition
//! ([`items`]), the access condition every write carries ([`access`]), the transactions
//! (`writes`), the reads (`reads`, `inbox`), and [`ConversationStore`] for
//! [`Dynamo`], which only delegates to them.
//!
//! Round trips per port method: every write is one TransactWriteItems; `conversation`,
//! `post_record`, `message` one GetItem; `first_receipts_from` one `Limit 1` Query per
//! reader (concurrent); `messages_page`, `count_messages` one Query (per 1 MB page); `staff_inbox` one Query (up to 5 when its
//! filter hides whole windows); `participant_inbox` one Query (rows kept by the stream consumer);
//! `sender_names` one BatchGetItem; `audit_read` one PutItem; `receipt_state` one
//! BatchGetItem; `own_horizons` one Query (see `horizons`, group read receipts).

pub mod access;
mod directory;
mod horizons;
mod inbox;
pub mod items;
pub mod legacy;
mod reads;
mod writes;

pub use horizons::FOLD_CHUNK;
pub use items::{
    ConversationItem, HorizonItem, IdempotencyItem, MessageItem, ParticipantItem, ReceiptItem,
};
pub use writes::add_new_conversation;

use super::{Dynamo, StoreError};
use crate::access::proof::SessionProof;
use crate::conversations::{
    ClientMessageId, Conversation, Message, PostRecord, ReadState, Receipt,
};
use crate::domain::caller::Caller;
use crate::domain::ids::{AccountId, ConversationId, MessageId, OrgId, SenderId};
use crate::ports::conversations::{
    ChangeRefused, ConversationStore, HorizonMove, HorizonRefused, ListError, Listing,
    MessagesFrom, OwnHorizonMove, PostRefused, Posting, ReceiptState, ResumeAt, SettingsChange,
    StaffInboxQuery,
};
use crate::services::audit::AuditEvent;
use async_trait::async_trait;
use std::collections::BTreeMap;

#[async_trait]
impl ConversationStore for Dynamo {
    async fn conversation(&self, id: &ConversationId) -> Result<Option<Conversation>, StoreError> {
        self.get_conversation(id).await
    }

    async fn create(
        &self,
        conversation: &Conversation,
        audit: &AuditEvent<'_>,
        now: i64,
    ) -> Result<(), StoreError> {
        self.create_conversation(conversation, audit, now).await
    }

    async fn change_settings(
        &self,
        editor: &Caller,
        conversation: &Conversation,
        change: &SettingsChange,
        audit: &AuditEvent<'_>,
        now: i64,
    ) -> Result<(), ChangeRefused> {
        self.change_conversation(editor, conversation, change, audit, now)
            .await
    }

    async fn post(&self, posting: &Posting<'_>, audit: &AuditEvent<'_>) -> Result<(), PostRefused> {
        self.post_message(posting, audit).await
    }

    async fn post_record(
        &self,
        sender: &AccountId,
        key: &ClientMessageId,
    ) -> Result<Option<PostRecord>, StoreError> {
        self.get_post_record(sender, key).await
    }

    async fn move_horizon(
        &self,
        change: &HorizonMove<'_>,
        audit: &AuditEvent<'_>,
    ) -> Result<(), HorizonRefused> {
        self.move_reader_horizon(change, audit).await
    }

    async fn receipt_state(
        &self,
        conversation: &ConversationId,
        reader: &AccountId,
        message: &MessageId,
        proof: Option<&SessionProof>,
    ) -> Result<ReceiptState, StoreError> {
        self.read_receipt_state(conversation, reader, message, proof)
            .await
    }

    async fn move_own_horizon(
        &self,
        change: &OwnHorizonMove<'_>,
        audit: &AuditEvent<'_>,
    ) -> Result<(), HorizonRefused> {
        self.move_own_horizon_item(change, audit).await
    }

    async fn own_horizons(
        &self,
        conversation: &ConversationId,
    ) -> Result<Vec<(AccountId, ReadState)>, StoreError> {
        self.read_own_horizons(conversation).await
    }

    async fn count_messages(
        &self,
        conversation: &ConversationId,
        after: Option<&MessageId>,
        through: &MessageId,
    ) -> Result<i64, StoreError> {
        self.count_messages_between(conversation, after, through)
            .await
    }

    async fn staff_inbox(
        &self,
        query: &StaffInboxQuery<'_>,
    ) -> Result<Listing<Conversation>, ListError> {
        self.staff_inbox_page(query).await
    }

    async fn participant_inbox(
        &self,
        viewer: &Caller,
        limit: i32,
        cursor: Option<&str>,
    ) -> Result<Listing<Conversation>, ListError> {
        self.participant_inbox_page(viewer, limit, cursor).await
    }

    fn messages_start(
        &self,
        conversation: &ConversationId,
        from: &MessagesFrom,
    ) -> Result<Option<ResumeAt>, ListError> {
        self.check_messages_start(conversation, from)
    }

    async fn messages_page(
        &self,
        conversation: &ConversationId,
        start: Option<ResumeAt>,
        limit: i32,
    ) -> Result<Listing<Message>, StoreError> {
        self.get_messages_page(conversation, start, limit).await
    }

    async fn message(
        &self,
        conversation: &ConversationId,
        id: &MessageId,
    ) -> Result<Option<Message>, StoreError> {
        self.get_message(conversation, id).await
    }

    async fn first_receipts_from(
        &self,
        conversation: &ConversationId,
        message: &MessageId,
        readers: &[AccountId],
    ) -> Result<Vec<Receipt>, StoreError> {
        self.get_first_receipts_from(conversation, message, readers)
            .await
    }

    async fn sender_names(
        &self,
        org: &OrgId,
        senders: &[SenderId],
    ) -> Result<BTreeMap<SenderId, String>, StoreError> {
        self.get_sender_names(org, senders).await
    }

    async fn audit_read(
        &self,
        event: &AuditEvent<'_>,
        proof: Option<&SessionProof>,
        now: i64,
    ) -> Result<(), StoreError> {
        match proof {
            None => self.put_audit(event, now).await,
            Some(proof) => self.put_proven_audit(event, proof, now).await,
        }
    }
}
