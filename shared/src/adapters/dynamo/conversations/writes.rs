//! The conversation writes, each one `TransactWriteItems` through [`Tx`] (one round trip),
//! carrying the writer's access condition on the meta and the audit item.
//!
//! Post (slots in order):
//!
//! | slot | item | condition |
//! |---|---|---|
//! | `caller_session` (+ `caller_member`, `caller_practice` for staff) | ConditionCheck of the claimed caller (`access::proof`, `check_session`), when the caller is only claimed | live session of theirs; same role; same practice access version |
//! | `idempotency` | Put `IDEM#sender#client_message_id` | absent or expired |
//! | `meta` | Update `#META`: count, last message, preview, inbox sort keys, the poster's horizon | poster may see it, active, not read-only, not opted out, kind as assumed, `last_message_id < :m` |
//! | `message` | Put `M#m` | absent |
//! | `receipt` | Put the poster's receipt `R#m#poster` | |
//! | `audit` | Put the audit item | |
//! | `attachment_0`…`_4` | Update each `A#att`: `SET message_id`, `REMOVE ttl` (`adapters::dynamo::attachments`) | ready, the poster's, on no message yet |
//!
//! Horizon move (a conversation of two; a group's readers move their own items, see
//! `horizons`): with a claimed caller (`access::proof`) first the `caller_session`
//! ConditionCheck of their session (staff: with `caller_member` and `caller_practice`);
//! `message` ConditionCheck `M#m` exists; `meta` Update `SET reads.me,
//! read_counts.me` (copying `message_count` when m is the newest, else a computed count
//! conditioned on the previous horizon), refused for a group; `receipt`; `audit`.
//!
//! Settings change: `meta` Update under the editor's access; one `participant` Update per
//! roster row (read_only and subject are mirrored there); `audit`.

use super::access::access_condition;
use super::items::{ConversationItem, IdempotencyItem, MessageItem, ParticipantItem, ReceiptItem};
use crate::access::proof::SessionProof;
use crate::adapters::dynamo::access::{check_session, is_caller_slot};
use crate::adapters::dynamo::attachments::{attach_in, attach_slot_index};
use crate::adapters::dynamo::{bool_av, key, keys, n, s, Dynamo, Expr, StoreError, Tx, TxError};
use crate::conversations::model::GROUP_ABOVE;
use crate::conversations::{Conversation, ConversationState, ReadState, Receipt};
use crate::ports::conversations::{
    ChangeRefused, HorizonMove, HorizonRefused, NewReadCount, PostRefused, Posting, SettingsChange,
};
use crate::services::audit::AuditEvent;
use aws_sdk_dynamodb::types::AttributeValue;

fn av<T: serde::Serialize>(value: &T) -> Result<AttributeValue, StoreError> {
    serde_dynamo::to_attribute_value(value).map_err(|e| StoreError::Corrupt(e.to_string()))
}

/// A refusal by a slot the use case does not expect to fail is a bug: a store error.
pub(super) fn unexpected(slot: &str) -> StoreError {
    StoreError::Other(format!("unexpected refusal of `{slot}`"))
}

/// Adds a new conversation's meta (slot `conversation`) and one inbox row per participant
/// (slot `participant`), each only if absent, to `tx`. Invites and link pairing create
/// their conversation this way inside their own transaction.
pub fn add_new_conversation(tx: &mut Tx, c: &Conversation) -> Result<(), StoreError> {
    tx.put_new("conversation", &ConversationItem::from_model(c))?;
    for who in &c.participants {
        tx.put_new(
            "participant",
            &ParticipantItem::mirror(c, who, c.created_at),
        )?;
    }
    Ok(())
}

impl Dynamo {
    pub(super) async fn create_conversation(
        &self,
        c: &Conversation,
        audit: &AuditEvent<'_>,
        now: i64,
    ) -> Result<(), StoreError> {
        let mut tx = Tx::new();
        add_new_conversation(&mut tx, c)?;
        // A standard conversation joins the practice's thread with its contact address.
        crate::adapters::dynamo::standard_start::link_thread(&mut tx, c)?;
        tx.audit(audit, now)?;
        self.commit(tx).await.map_err(|e| match e {
            // The address opted out (or in) since it was read: the client retries.
            TxError::Refused("thread") => StoreError::Conflict,
            TxError::Refused(slot) => unexpected(slot),
            TxError::Store(e) => e,
        })
    }

    pub(super) async fn change_conversation(
        &self,
        editor: &crate::domain::caller::Caller,
        c: &Conversation,
        change: &SettingsChange,
        audit: &AuditEvent<'_>,
        now: i64,
    ) -> Result<(), ChangeRefused> {
        let subject = |v: &Option<String>| v.clone().map_or(AttributeValue::Null(true), s);
        let mut meta = Expr::default();
        access_condition(&mut meta, editor);
        meta.name("#pk", "pk").and("attribute_exists(#pk)");
        let mut row = Expr::default();
        row.name("#pk", "pk").and("attribute_exists(#pk)");
        let (mut meta_sets, mut row_sets) = (Vec::new(), Vec::new());
        if let Some(ro) = change.read_only {
            for (e, sets) in [(&mut meta, &mut meta_sets), (&mut row, &mut row_sets)] {
                e.name("#ro", "read_only").value(":ro", bool_av(ro));
                sets.push("#ro = :ro");
            }
        }
        if let Some(subj) = &change.subject {
            for (e, sets) in [(&mut meta, &mut meta_sets), (&mut row, &mut row_sets)] {
                e.name("#subject", "subject")
                    .value(":subject", subject(subj));
                sets.push("#subject = :subject");
            }
        }
        // Tags are practice-internal: the meta only.
        if let Some(tags) = &change.tags {
            meta.name("#tags", "tags").value(
                ":tags",
                AttributeValue::L(tags.iter().cloned().map(s).collect()),
            );
            meta_sets.push("#tags = :tags");
        }
        let mut tx = Tx::new();
        let meta_key = ConversationItem::key_for(&c.id);
        tx.update(
            "meta",
            meta_key,
            format!("SET {}", meta_sets.join(", ")),
            meta,
        )?;
        if !row_sets.is_empty() {
            for p in &c.participants {
                let row_key = key(keys::conversation_pk(&c.id), keys::participant_sk(&p.id));
                let set = format!("SET {}", row_sets.join(", "));
                tx.update("participant", row_key, set, row.clone())?;
            }
        }
        tx.audit(audit, now)?;
        self.commit(tx).await.map_err(|e| match e {
            TxError::Refused("meta") => ChangeRefused::Conversation,
            TxError::Refused(slot) => unexpected(slot).into(),
            TxError::Store(e) => e.into(),
        })
    }

    pub(super) async fn post_message(
        &self,
        p: &Posting<'_>,
        audit: &AuditEvent<'_>,
    ) -> Result<(), PostRefused> {
        let message = p.message;
        let now = message.sent_at;
        let poster = &p.poster.account_id;
        let idem = IdempotencyItem::from_model(poster, &message.client_message_id, p.record);
        let mut fresh = Expr::new("attribute_not_exists(#pk) OR #exp < :now");
        fresh
            .name("#pk", "pk")
            .name("#exp", "expires_at")
            .value(":now", n(now));

        let me = poster.to_string();
        let mut e = Expr::default();
        access_condition(&mut e, p.poster);
        e.name("#pk", "pk")
            .name("#state", "state")
            .name("#ro", "read_only")
            .name("#kind", "kind")
            .name("#last", "last_message_id")
            .name("#mc", "message_count")
            .name("#lmat", "last_message_at")
            .name("#act", "last_activity")
            .name("#preview", "preview")
            .name("#g1sk", "gsi1sk")
            .name("#g2sk", "gsi2sk")
            .name("#reads", "reads")
            .name("#rcs", "read_counts")
            .name("#me_k", &me)
            .value(":active", av(&ConversationState::Active)?)
            .value(":false", bool_av(false))
            .value(":kind", av(&p.assumed_kind)?)
            .value(":null_type", s("NULL"))
            .value(":m", s(message.id.to_string()))
            .value(":zero", n(0))
            .value(":one", n(1))
            .value(":now", n(now))
            .value(":preview", s(p.preview.clone()))
            .value(
                ":act_sk",
                s(keys::activity_sk(now, &message.conversation_id)),
            )
            .value(
                ":st",
                av(&ReadState {
                    through: message.id,
                    count: 0,
                    at: now,
                })?,
            );
        e.and("attribute_exists(#pk) AND #state = :active AND #ro = :false AND #kind = :kind")
            .and("attribute_not_exists(#last) OR attribute_type(#last, :null_type) OR #last < :m")
            // A standard conversation whose contact opted out (STOP, bounce): 409 opted_out.
            .and("attribute_not_exists(#oo) OR #oo = :false");
        e.name("#oo", "opted_out");
        let receipt = Receipt {
            reader: *poster,
            from: None,
            through: message.id,
            at: now,
        };
        let mut tx = Tx::new();
        if let Some(proof) = p.proof {
            check_session(&mut tx, proof)?;
        }
        tx.put_if("idempotency", &idem, fresh)?
            .update(
                "meta",
                ConversationItem::key_for(&message.conversation_id),
                "SET #mc = if_not_exists(#mc, :zero) + :one, #last = :m, #lmat = :now, \
                 #act = :now, #preview = :preview, #g1sk = :act_sk, #g2sk = :act_sk, \
                 #reads.#me_k = :st, #rcs.#me_k = if_not_exists(#mc, :zero) + :one",
                e,
            )?
            .put_new("message", &MessageItem::from_model(message))?
            .put(
                "receipt",
                &ReceiptItem::from_model(&message.conversation_id, &receipt),
            )?
            .audit(audit, now)?;
        // The attachments' slots come last: a retry of the same post is refused by its
        // idempotency record (slot 0) first and answered the stored message.
        attach_in(
            &mut tx,
            &message.conversation_id,
            poster,
            &message.id,
            &message.attachments,
        )?;
        self.commit_for(p.proof.is_some(), tx)
            .await
            .map_err(|e| match e {
                TxError::Refused(slot) if is_caller_slot(slot) => StoreError::SessionRefused.into(),
                TxError::Refused("idempotency") => PostRefused::KeyUsed,
                TxError::Refused("meta") => PostRefused::Conversation,
                TxError::Refused("message") => PostRefused::MessageIdTaken,
                TxError::Refused(slot) => {
                    match attach_slot_index(slot).and_then(|i| p.attachments.get(i)) {
                        Some(id) => PostRefused::AttachmentTaken(*id),
                        None => unexpected(slot).into(),
                    }
                }
                TxError::Store(e) => e.into(),
            })
    }

    pub(super) async fn move_reader_horizon(
        &self,
        mv: &HorizonMove<'_>,
        audit: &AuditEvent<'_>,
    ) -> Result<(), HorizonRefused> {
        let me = mv.reader.account_id.to_string();
        let state = ReadState {
            through: mv.through,
            count: 0,
            at: mv.at,
        };
        let mut e = Expr::default();
        access_condition(&mut e, mv.reader);
        e.name("#pk", "pk")
            .name("#reads", "reads")
            .name("#rcs", "read_counts")
            .name("#me_k", &me)
            .name("#pids", "participant_ids")
            .value(":st", av(&state)?)
            .value(":group_above", n(GROUP_ABOVE));
        e.and("attribute_exists(#pk)")
            // A group's readers move their own items (`horizons`), never this one.
            .and("attribute_not_exists(#pids) OR size(#pids) <= :group_above");
        let set = match mv.count {
            NewReadCount::CopyMessageCount => {
                e.name("#through", "through")
                    .value(":m", s(mv.through.to_string()))
                    .name("#last", "last_message_id")
                    .name("#mc", "message_count")
                    .and("#last = :m")
                    .and("attribute_not_exists(#reads.#me_k) OR #reads.#me_k.#through < :m");
                "SET #reads.#me_k = :st, #rcs.#me_k = #mc"
            }
            NewReadCount::Exactly { count, previous } => {
                e.value(":count", n(count));
                match previous {
                    None => e.and("attribute_not_exists(#reads.#me_k)"),
                    Some(p) => e
                        .name("#through", "through")
                        .value(":prev", s(p.to_string()))
                        .and("#reads.#me_k.#through = :prev"),
                };
                "SET #reads.#me_k = :st, #rcs.#me_k = :count"
            }
        };
        let receipt = Receipt {
            reader: mv.reader.account_id,
            from: mv.receipt_from,
            through: mv.through,
            at: mv.at,
        };
        let message_key = key(
            keys::conversation_pk(&mv.conversation),
            keys::message_sk(&mv.through),
        );
        let mut tx = Tx::new();
        if let Some(proof) = mv.proof {
            check_session(&mut tx, proof)?;
        }
        tx.check("message", message_key, Expr::present())?
            .update("meta", ConversationItem::key_for(&mv.conversation), set, e)?
            .put(
                "receipt",
                &ReceiptItem::from_model(&mv.conversation, &receipt),
            )?
            .audit(audit, mv.at)?;
        self.commit_for(mv.proof.is_some(), tx)
            .await
            .map_err(|e| match e {
                TxError::Refused(slot) if is_caller_slot(slot) => StoreError::SessionRefused.into(),
                TxError::Refused("message") => HorizonRefused::NoSuchMessage,
                TxError::Refused("meta") => HorizonRefused::Conversation,
                TxError::Refused(slot) => unexpected(slot).into(),
                TxError::Store(e) => e.into(),
            })
    }

    /// Commits `tx`, as a proof (`Dynamo::commit_proven`) when it carries one.
    pub(super) async fn commit_for(&self, proven: bool, tx: Tx) -> Result<(), TxError> {
        match proven {
            true => self.commit_proven(tx).await,
            false => self.commit(tx).await,
        }
    }

    /// A read's audit item, as a PutItem of its own.
    pub(super) async fn put_audit(
        &self,
        event: &AuditEvent<'_>,
        now: i64,
    ) -> Result<(), StoreError> {
        self.client()
            .put_item()
            .table_name(self.table())
            .set_item(Some(crate::adapters::dynamo::access::audit_item(
                now, event,
            )?))
            .send()
            .await?;
        Ok(())
    }

    /// A read's audit item, written only if the caller's session satisfies `proof`: one
    /// TransactWriteItems (the session's ConditionCheck, the audit Put) that is the read's
    /// authorization (`access::proof`).
    pub(super) async fn put_proven_audit(
        &self,
        event: &AuditEvent<'_>,
        proof: &SessionProof,
        now: i64,
    ) -> Result<(), StoreError> {
        let mut tx = Tx::new();
        check_session(&mut tx, proof)?;
        tx.audit(event, now)?;
        self.commit_proven(tx).await.map_err(|e| match e {
            TxError::Refused(slot) if is_caller_slot(slot) => StoreError::SessionRefused,
            TxError::Refused(slot) => unexpected(slot),
            TxError::Store(e) => e,
        })
    }
}
