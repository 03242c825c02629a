//! [`SyncStore`] on the single table: the feed head `SYNC#a` / `#HEAD`, the entries
//! `SYNC#a` / `<seq:016>`, and the participant inbox rows `CONV#c` / `P#a` the stream
//! consumer keeps current; the fold of group readers' horizons is in
//! `conversations::horizons`.

use super::{from_item, key, keys, n, s, to_attribute, Dynamo, Expr, StoreError, Tx, TxError};
use crate::conversations::ReadState;
use crate::domain::ids::{AccountId, ConversationId};
use crate::ports::sync::{AppendError, SyncStore};
use crate::sync::model::{
    FeedChange, FeedEntry, FeedHead, InboxProjection, RETENTION_MS, TTL_GRACE_MS,
};
use async_trait::async_trait;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap};

#[derive(Serialize, Deserialize)]
struct HeadItem {
    pk: String,
    sk: String,
    account_id: AccountId,
    seq: u64,
    /// Conversation id → padded stream sequence number of the last change applied.
    #[serde(default)]
    applied: BTreeMap<String, String>,
}

#[derive(Serialize, Deserialize)]
struct EntryItem {
    pk: String,
    sk: String,
    seq: u64,
    conversation_id: ConversationId,
    at: i64,
    change: FeedChange,
    ttl: i64,
}

impl EntryItem {
    fn entry(self) -> FeedEntry {
        FeedEntry {
            seq: self.seq,
            conversation: self.conversation_id,
            at: self.at,
            change: self.change,
        }
    }
}

#[async_trait]
impl SyncStore for Dynamo {
    async fn heads(
        &self,
        accounts: &[AccountId],
    ) -> Result<HashMap<AccountId, FeedHead>, StoreError> {
        let keys = accounts
            .iter()
            .map(|a| key(keys::sync_pk(a), keys::SYNC_HEAD_SK))
            .collect();
        let mut heads = HashMap::new();
        // Consistent: the head's seq is the condition of the next append.
        for item in super::batch_get(self.client(), self.table(), keys, true).await? {
            let h: HeadItem = from_item(item)?;
            let applied = h
                .applied
                .into_iter()
                .filter_map(|(c, src)| c.parse().ok().map(|c: ConversationId| (c, src)))
                .collect();
            heads.insert(
                h.account_id,
                FeedHead {
                    seq: h.seq,
                    applied,
                    exists: true,
                },
            );
        }
        Ok(heads)
    }

    async fn append(
        &self,
        account: &AccountId,
        head: &FeedHead,
        next: &FeedHead,
        entries: &[FeedEntry],
    ) -> Result<(), AppendError> {
        let item = HeadItem {
            pk: keys::sync_pk(account),
            sk: keys::SYNC_HEAD_SK.into(),
            account_id: *account,
            seq: next.seq,
            applied: next
                .applied
                .iter()
                .map(|(c, src)| (c.to_string(), src.clone()))
                .collect(),
        };
        let mut tx = Tx::new();
        if head.exists {
            let mut unchanged = Expr::new("#seq = :seq");
            unchanged.name("#seq", "seq").value(":seq", n(head.seq));
            tx.put_if("head", &item, unchanged)?;
        } else {
            tx.put_new("head", &item)?;
        }
        for e in entries {
            tx.put_new(
                "entry",
                &EntryItem {
                    pk: keys::sync_pk(account),
                    sk: keys::sync_entry_sk(e.seq),
                    seq: e.seq,
                    conversation_id: e.conversation,
                    at: e.at,
                    change: e.change.clone(),
                    ttl: (e.at + RETENTION_MS + TTL_GRACE_MS) / 1000,
                },
            )?;
        }
        match self.commit(tx).await {
            Ok(()) => Ok(()),
            Err(TxError::Refused(_)) => Err(AppendError::Stale),
            Err(TxError::Store(e)) => Err(e.into()),
        }
    }

    async fn entries(
        &self,
        account: &AccountId,
        from: u64,
        limit: i32,
    ) -> Result<Vec<FeedEntry>, StoreError> {
        let out = self
            .client()
            .query()
            .table_name(self.table())
            .key_condition_expression("#pk = :pk AND #sk >= :from")
            .expression_attribute_names("#pk", "pk")
            .expression_attribute_names("#sk", "sk")
            .expression_attribute_values(":pk", s(keys::sync_pk(account)))
            .expression_attribute_values(":from", s(keys::sync_entry_sk(from)))
            .consistent_read(true)
            .limit(limit)
            .send()
            .await?;
        out.items
            .unwrap_or_default()
            .into_iter()
            .map(|i| from_item::<EntryItem>(i).map(EntryItem::entry))
            .collect()
    }

    async fn project_inbox_row(
        &self,
        conversation: &ConversationId,
        account: &AccountId,
        p: &InboxProjection,
    ) -> Result<bool, StoreError> {
        let mut e =
            Expr::new("attribute_exists(#pk) AND (attribute_not_exists(#src) OR #src < :src)");
        e.name("#pk", "pk")
            .name("#src", "projected_from")
            .name("#g1sk", "gsi1sk")
            .name("#subject", "subject")
            .name("#state", "state")
            .name("#ro", "read_only")
            .name("#mc", "message_count")
            .name("#rc", "read_count")
            .name("#lmat", "last_message_at")
            .name("#preview", "preview")
            .name("#act", "last_activity")
            .value(":src", s(p.source.clone()))
            .value(":g1sk", s(keys::activity_sk(p.last_activity, conversation)))
            .value(":subject", to_attribute(&p.subject)?)
            .value(":state", s(p.state.clone()))
            .value(":ro", to_attribute(&p.read_only)?)
            .value(":mc", n(p.message_count))
            .value(":rc", n(p.read_count))
            .value(":lmat", to_attribute(&p.last_message_at)?)
            .value(":preview", to_attribute(&p.preview)?)
            .value(":act", n(p.last_activity));
        self.update_if(
            key(
                keys::conversation_pk(conversation),
                keys::participant_sk(account),
            ),
            "SET #src = :src, #g1sk = :g1sk, #subject = :subject, #state = :state, #ro = :ro, \
             #mc = :mc, #rc = :rc, #lmat = :lmat, #preview = :preview, #act = :act",
            e,
        )
        .await
    }

    async fn fold_horizons(
        &self,
        conversation: &ConversationId,
        horizons: &[(AccountId, ReadState)],
    ) -> Result<(), StoreError> {
        self.fold_own_horizons(conversation, horizons).await
    }
}
