//! Group read receipts on the single table (`conversations::mark_read`): each reader of a
//! group moves an item of their own, `CONV#c` / `H#reader` ([`HorizonItem`]), never the
//! conversation's `#META`, so fifty readers reading at once write fifty different items.
//! The stream folds those horizons into the meta's `reads` / `read_counts`
//! ([`Dynamo::fold_own_horizons`]), where the inboxes and unread badges read them.
//!
//! - `receipt_state`: one BatchGetItem, strongly consistent, of the meta, the message
//!   `M#m`, the reader's `H#reader` and, for a claimed staff caller, the practice `#META`,
//!   whose access version is checked here, on the read: every staff member's transaction
//!   would otherwise check that one item, and concurrent transactions that include an item
//!   conflict even when they only check it (`Dynamo::commit_proven`).
//! - `move_own_horizon`: one TransactWriteItems: the caller's session (and membership)
//!   `ConditionCheck`s, `horizon` Put `H#reader` (absent or behind the new horizon),
//!   `receipt` Put `R#m#reader` carrying the count (the fold's input), `audit`.
//! - `own_horizons`: one Query `begins_with(sk, H#)` (one item per reader of the group).
//! - `fold_own_horizons`: one UpdateItem of the meta per [`FOLD_CHUNK`] readers, each
//!   reader's entry conditioned on the meta's being behind; when one is not (the reader
//!   posted since, which moved their horizon on the meta), one UpdateItem per reader.

use super::items::{ConversationItem, HorizonItem, ReceiptItem};
use super::writes::unexpected;
use crate::access::proof::SessionProof;
use crate::adapters::dynamo::access::{
    check_own_items, is_caller_slot, practice_key, practice_version_holds,
};
use crate::adapters::dynamo::{
    batch_get, from_item, get_s, key, keys, n, query_all, s, Dynamo, Expr, StoreError, Tx, TxError,
};
use crate::conversations::{ReadState, Receipt};
use crate::domain::ids::{AccountId, ConversationId, MessageId};
use crate::ports::conversations::{HorizonRefused, OwnHorizonMove, ReceiptState};
use crate::services::audit::AuditEvent;

/// Readers folded per UpdateItem: keeps its expression well under DynamoDB's 4 KB.
pub const FOLD_CHUNK: usize = 20;

impl Dynamo {
    pub(super) async fn read_receipt_state(
        &self,
        conversation: &ConversationId,
        reader: &AccountId,
        message: &MessageId,
        proof: Option<&SessionProof>,
    ) -> Result<ReceiptState, StoreError> {
        let staff = proof.and_then(|p| p.staff.as_ref());
        let mut wanted = vec![
            ConversationItem::key_for(conversation),
            key(
                keys::conversation_pk(conversation),
                keys::message_sk(message),
            ),
            HorizonItem::key_for(conversation, reader),
        ];
        wanted.extend(staff.map(practice_key));
        let (mut meta, mut own, mut practice, mut message_exists) = (None, None, None, false);
        for item in batch_get(self.client(), self.table(), wanted, true).await? {
            let in_conversation = get_s(&item, "pk").is_some_and(|pk| pk.starts_with("CONV#"));
            match get_s(&item, "sk").unwrap_or_default() {
                _ if !in_conversation => practice = Some(item),
                keys::CONVERSATION_META_SK => meta = Some(from_item::<ConversationItem>(item)?),
                sk if sk.starts_with(keys::HORIZON_PREFIX) => {
                    own = Some(from_item::<HorizonItem>(item)?)
                }
                _ => message_exists = true,
            }
        }
        if staff.is_some_and(|staff| !practice_version_holds(practice.as_ref(), staff)) {
            return Err(StoreError::SessionRefused);
        }
        Ok(ReceiptState {
            conversation: meta.map(ConversationItem::into_model),
            own_horizon: own.map(|item| item.into_state().1),
            message_exists,
        })
    }

    pub(super) async fn move_own_horizon_item(
        &self,
        mv: &OwnHorizonMove<'_>,
        audit: &AuditEvent<'_>,
    ) -> Result<(), HorizonRefused> {
        let tx = own_horizon_tx(mv, audit)?;
        self.commit_for(mv.proof.is_some(), tx)
            .await
            .map_err(|e| match e {
                TxError::Refused(slot) if is_caller_slot(slot) => StoreError::SessionRefused.into(),
                TxError::Refused("horizon") => HorizonRefused::Conversation,
                TxError::Refused(slot) => unexpected(slot).into(),
                TxError::Store(e) => e.into(),
            })
    }

    pub(super) async fn read_own_horizons(
        &self,
        conversation: &ConversationId,
    ) -> Result<Vec<(AccountId, ReadState)>, StoreError> {
        let query = self
            .client()
            .query()
            .table_name(self.table())
            .key_condition_expression("#pk = :pk AND begins_with(#sk, :prefix)")
            .expression_attribute_names("#pk", "pk")
            .expression_attribute_names("#sk", "sk")
            .expression_attribute_values(":pk", s(keys::conversation_pk(conversation)))
            .expression_attribute_values(":prefix", s(keys::HORIZON_PREFIX))
            .consistent_read(true);
        let items: Vec<HorizonItem> = query_all(query).await?;
        Ok(items.into_iter().map(HorizonItem::into_state).collect())
    }

    /// Writes group readers' horizons into the conversation's `reads` / `read_counts`
    /// where the meta's are behind (idempotent: a replayed fold changes nothing). A missing
    /// conversation is skipped.
    pub async fn fold_own_horizons(
        &self,
        conversation: &ConversationId,
        horizons: &[(AccountId, ReadState)],
    ) -> Result<(), StoreError> {
        for chunk in horizons.chunks(FOLD_CHUNK) {
            if self.fold_chunk(conversation, chunk).await? || chunk.len() == 1 {
                continue;
            }
            for one in chunk {
                self.fold_chunk(conversation, std::slice::from_ref(one))
                    .await?;
            }
        }
        Ok(())
    }

    /// One UpdateItem folding `chunk`; false when the meta refused it (missing, or one
    /// reader's horizon on it was already as far).
    async fn fold_chunk(
        &self,
        conversation: &ConversationId,
        chunk: &[(AccountId, ReadState)],
    ) -> Result<bool, StoreError> {
        let mut e = Expr::present();
        e.name("#reads", "reads")
            .name("#rcs", "read_counts")
            .name("#through", "through");
        let mut sets = Vec::with_capacity(chunk.len());
        for (i, (reader, state)) in chunk.iter().enumerate() {
            let state_av = serde_dynamo::to_attribute_value(state)
                .map_err(|e| StoreError::Corrupt(e.to_string()))?;
            e.name(&format!("#a{i}"), &reader.to_string())
                .value(&format!(":s{i}"), state_av)
                .value(&format!(":c{i}"), n(state.count))
                .value(&format!(":t{i}"), s(state.through.to_string()))
                .and(&format!(
                    "attribute_not_exists(#reads.#a{i}) OR #reads.#a{i}.#through < :t{i}"
                ));
            sets.push(format!("#reads.#a{i} = :s{i}, #rcs.#a{i} = :c{i}"));
        }
        let update = format!("SET {}", sets.join(", "));
        self.update_if(ConversationItem::key_for(conversation), &update, e)
            .await
    }
}

/// The group receipt's transaction: the caller's own proof items, the reader's horizon
/// item (only if absent or behind), the receipt with its count, the audit item. No item
/// another reader's receipt writes or checks.
fn own_horizon_tx(mv: &OwnHorizonMove<'_>, audit: &AuditEvent<'_>) -> Result<Tx, StoreError> {
    let reader = mv.reader.account_id;
    let mut behind = Expr::new("attribute_not_exists(#pk) OR #through < :through");
    behind
        .name("#pk", "pk")
        .name("#through", "through")
        .value(":through", s(mv.to.through.to_string()));
    let receipt = Receipt {
        reader,
        from: mv.receipt_from,
        through: mv.to.through,
        at: mv.to.at,
    };
    let mut receipt = ReceiptItem::from_model(&mv.conversation, &receipt);
    receipt.count = Some(mv.to.count);
    let mut tx = Tx::new();
    if let Some(proof) = mv.proof {
        check_own_items(&mut tx, proof)?;
    }
    tx.put_if(
        "horizon",
        &HorizonItem::new(&mv.conversation, &reader, &mv.to),
        behind,
    )?
    .put("receipt", &receipt)?
    .audit(audit, mv.to.at)?;
    Ok(tx)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::access::proof::StaffProof;
    use crate::domain::caller::Caller;
    use crate::domain::ids::OrgId;
    use crate::domain::role::Role;

    #[test]
    fn a_group_receipt_writes_and_checks_only_the_readers_own_items() {
        let org = OrgId::generate();
        let reader = Caller {
            account_id: AccountId::generate(),
            role: Role::Member,
            org_id: Some(org),
            visible_links: vec![],
        };
        let proof = SessionProof {
            token_hash: "h".into(),
            account_id: reader.account_id,
            now: 2,
            used_after: 1,
            staff: Some(StaffProof {
                org_id: org,
                role: Role::Member,
                access_version: 4,
            }),
        };
        let mv = OwnHorizonMove {
            reader: &reader,
            proof: Some(&proof),
            conversation: ConversationId::generate(),
            to: ReadState {
                through: MessageId::generate(),
                count: 3,
                at: 9,
            },
            receipt_from: None,
        };
        let audit = AuditEvent {
            actor: Some(&reader.account_id),
            role: Some(reader.role),
            org: Some(&org),
            action: "conversation.read_receipt",
            targets: vec![],
            request_id: "r",
            outcome: "ok",
        };
        let tx = own_horizon_tx(&mv, &audit).unwrap();
        // Neither the conversation's `meta` nor the practice's `caller_practice`.
        assert_eq!(
            tx.slots(),
            [
                "caller_session",
                "caller_member",
                "horizon",
                "receipt",
                "audit"
            ]
        );
    }
}
