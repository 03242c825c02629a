//! The DynamoDB side of the attachments aggregate: the item, its keys (via `keys`), the
//! reservation transaction and the upload check's conditional update.
//!
//! Items:
//! - `CONV#c` / `A#att` ([`AttachmentItem`]): one per attachment, in its conversation's
//!   partition; `ttl` two days out until it is attached (S3's lifecycle deletes the
//!   never-attached object after one day; the item follows).
//! - `UPBUDGET#<conv or acct>#<day>` / `#BUDGET`: the day's upload count and bytes.
//!
//! Round trips:
//! - reserve: one `TransactWriteItems` (conversation check, attachment put, two budget
//!   updates, audit item).
//! - read: one `BatchGetItem` (meta + attachment) with the audit `PutItem` concurrently.
//! - upload check: `GetItem`, then one conditional `UpdateItem`.
//! - message post: none of its own: the post's one `TransactWriteItems`, which
//!   [`attach_in`] extends with one conditioned update each (the metadata comes from the
//!   attachment cards in S3, `crate::attachments::card`). Only without a card, one
//!   `BatchGetItem` (meta + the named attachments) first; only after a refusal, one
//!   `GetItem` of the refused attachment to say why.

use crate::access::audit::AuditEvent;
use crate::adapters::dynamo::conversations::access::access_condition;
use crate::adapters::dynamo::conversations::ConversationItem;
use crate::adapters::dynamo::expr::Expr;
use crate::adapters::dynamo::{
    bool_av, from_item, keys, n, s, Dynamo, Item, StoreError, Tx, TxError,
};
use crate::attachments::model::{Attachment, Status};
use crate::conversations::Conversation;
use crate::domain::ids::{AttachmentId, ConversationId};
use crate::ports::access::AuditLog;
use crate::ports::attachments::{
    AttachmentStore, Checked, Reservation, ReserveRefusal, UploadBudget,
};
use async_trait::async_trait;

mod item;
mod post;

pub use item::AttachmentItem;
pub use post::{attach_in, attach_slot_index, ATTACH_SLOTS};

/// Budget items outlive their day by one day.
const BUDGET_TTL_MS: i64 = 2 * 24 * 3600 * 1000;

/// `SET count += 1, bytes += size` on a budget item, refused once either is spent.
fn spend(
    tx: &mut Tx,
    slot: &'static str,
    subject: &str,
    r: &Reservation<'_>,
    budget: UploadBudget,
) -> Result<(), StoreError> {
    let size = r.attachment.size;
    let mut e = Expr::new("attribute_not_exists(#n) OR (#n < :max_n AND #b <= :room)");
    e.name("#n", "uploads")
        .name("#b", "bytes")
        .name("#ttl", "ttl")
        .value(":zero", n(0))
        .value(":one", n(1))
        .value(":size", n(size))
        .value(":max_n", n(budget.uploads))
        .value(":room", n(budget.bytes.saturating_sub(size)))
        .value(":ttl", n((r.now_ms + BUDGET_TTL_MS) / 1000));
    tx.update(
        slot,
        crate::adapters::dynamo::key(keys::upload_budget_pk(subject, &r.day), keys::UPLOAD_BUDGET_SK),
        "SET #n = if_not_exists(#n, :zero) + :one, #b = if_not_exists(#b, :zero) + :size, #ttl = :ttl",
        e,
    )?;
    Ok(())
}

/// The caller may upload to the conversation: they may see it (as for posting), and it is
/// an active, writable, secure conversation.
fn upload_condition(r: &Reservation<'_>) -> Expr {
    let mut e = Expr::default();
    access_condition(&mut e, r.caller);
    e.name("#pk", "pk")
        .name("#state", "state")
        .name("#ro", "read_only")
        .name("#kind", "kind")
        .value(":active", s("active"))
        .value(":false", bool_av(false))
        .value(":secure", s("secure"));
    e.and("attribute_exists(#pk) AND #state = :active AND #ro = :false AND #kind = :secure");
    e
}

fn reservation_tx(r: &Reservation<'_>) -> Result<Tx, StoreError> {
    let a = r.attachment;
    let mut tx = Tx::new();
    tx.check(
        "conversation",
        ConversationItem::key_for(&a.conversation_id),
        upload_condition(r),
    )?
    .put_new("attachment", &AttachmentItem::from_model(a))?;
    spend(
        &mut tx,
        "conversation_budget",
        &a.conversation_id.to_string(),
        r,
        r.per_conversation,
    )?;
    spend(
        &mut tx,
        "account_budget",
        &a.uploader.to_string(),
        r,
        r.per_account,
    )?;
    let event = AuditEvent {
        actor: Some(&r.caller.account_id),
        role: Some(r.caller.role),
        org: r.caller.org_id.as_ref(),
        action: "attachment.reserve",
        targets: vec![a.conversation_id.to_string(), a.id.to_string()],
        request_id: r.request_id,
        outcome: "ok",
    };
    tx.audit(&event, r.now_ms)?;
    Ok(tx)
}

async fn get_item<T: serde::de::DeserializeOwned>(
    db: &Dynamo,
    key: Item,
) -> Result<Option<T>, StoreError> {
    let out = db
        .client()
        .get_item()
        .table_name(db.table())
        .set_key(Some(key))
        .consistent_read(true)
        .send()
        .await?;
    out.item.map(from_item).transpose()
}

#[async_trait]
impl AttachmentStore for Dynamo {
    async fn reserve(&self, r: &Reservation<'_>) -> Result<(), ReserveRefusal> {
        match self.commit(reservation_tx(r)?).await {
            Ok(()) => Ok(()),
            Err(TxError::Refused("conversation")) => Err(ReserveRefusal::Conversation),
            Err(TxError::Refused("conversation_budget")) => Err(ReserveRefusal::ConversationBudget),
            Err(TxError::Refused("account_budget")) => Err(ReserveRefusal::AccountBudget),
            // A fresh ULID colliding is not a thing; anything else is the store's.
            Err(TxError::Refused(slot)) => Err(StoreError::Other(format!("{slot} refused")).into()),
            Err(TxError::Store(e)) => Err(e.into()),
        }
    }

    async fn conversation(
        &self,
        conversation: &ConversationId,
    ) -> Result<Option<Conversation>, StoreError> {
        let meta: Option<ConversationItem> =
            get_item(self, ConversationItem::key_for(conversation)).await?;
        Ok(meta.map(ConversationItem::into_model))
    }

    async fn conversation_and_attachment(
        &self,
        conversation: &ConversationId,
        attachment: &AttachmentId,
    ) -> Result<(Option<Conversation>, Option<Attachment>), StoreError> {
        let items = crate::adapters::dynamo::batch_get(
            self.client(),
            self.table(),
            vec![
                ConversationItem::key_for(conversation),
                AttachmentItem::key(conversation, attachment),
            ],
            true,
        )
        .await?;
        let (mut meta, mut found) = (None, None);
        for item in items {
            match crate::adapters::dynamo::get_s(&item, "sk") {
                Some(keys::CONVERSATION_META_SK) => {
                    meta = Some(from_item::<ConversationItem>(item)?.into_model())
                }
                Some(_) => found = Some(from_item::<AttachmentItem>(item)?.into_model()),
                None => return Err(StoreError::Corrupt("item without sk".into())),
            }
        }
        Ok((meta, found))
    }

    async fn attachment(
        &self,
        conversation: &ConversationId,
        attachment: &AttachmentId,
    ) -> Result<Option<Attachment>, StoreError> {
        let item: Option<AttachmentItem> =
            get_item(self, AttachmentItem::key(conversation, attachment)).await?;
        Ok(item.map(AttachmentItem::into_model))
    }

    async fn record_check(
        &self,
        attachment: &Attachment,
        from: Status,
        verdict: Checked,
        etag: &str,
        now_ms: i64,
    ) -> Result<bool, StoreError> {
        let (status, reason) = match verdict {
            Checked::Ready => (Status::Ready, None),
            Checked::Rejected(r) => (Status::Rejected, Some(r)),
        };
        let mut e = Expr::new("attribute_exists(#pk) AND #status = :from");
        e.name("#pk", "pk")
            .name("#status", "status")
            .name("#etag", "checked_etag")
            .name("#at", "checked_at")
            .value(":from", s(from.as_str()))
            .value(":to", s(status.as_str()))
            .value(":etag", s(etag))
            .value(":now", n(now_ms));
        let update = match reason {
            Some(r) => {
                e.name("#reason", "reject_reason")
                    .value(":reason", s(r.as_str()));
                "SET #status = :to, #etag = :etag, #at = :now, #reason = :reason"
            }
            None => {
                e.name("#reason", "reject_reason");
                "SET #status = :to, #etag = :etag, #at = :now REMOVE #reason"
            }
        };
        let key = AttachmentItem::key(&attachment.conversation_id, &attachment.id);
        self.update_if(key, update, e).await
    }

    async fn for_post(
        &self,
        conversation: &ConversationId,
        attachments: &[AttachmentId],
    ) -> Result<(Option<Conversation>, Vec<Attachment>), StoreError> {
        let mut wanted = vec![ConversationItem::key_for(conversation)];
        wanted.extend(
            attachments
                .iter()
                .map(|a| AttachmentItem::key(conversation, a)),
        );
        let items =
            crate::adapters::dynamo::batch_get(self.client(), self.table(), wanted, true).await?;
        let (mut meta, mut found) = (None, Vec::new());
        for item in items {
            if crate::adapters::dynamo::get_s(&item, "sk") == Some(keys::CONVERSATION_META_SK) {
                meta = Some(from_item::<ConversationItem>(item)?.into_model());
            } else {
                found.push(from_item::<AttachmentItem>(item)?.into_model());
            }
        }
        Ok((meta, found))
    }

    async fn audit(&self, event: &AuditEvent<'_>, now_ms: i64) -> Result<(), StoreError> {
        self.record_audit(event, now_ms).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::attachments::model::{ContentType, Filename};
    use crate::domain::caller::Caller;
    use crate::domain::ids::AccountId;
    use crate::domain::role::Role;

    fn reservation_parts() -> (Attachment, Caller) {
        let caller = Caller {
            account_id: AccountId::generate(),
            role: Role::Patient,
            org_id: None,
            visible_links: vec![],
        };
        let attachment = Attachment {
            id: AttachmentId::generate(),
            conversation_id: ConversationId::generate(),
            uploader: caller.account_id,
            filename: Filename::parse("scan.pdf").unwrap(),
            content_type: ContentType::Pdf,
            size: 1234,
            status: Status::Uploading,
            reject_reason: None,
            checked_etag: None,
            message_id: None,
            created_at: 1_000,
        };
        (attachment, caller)
    }

    #[test]
    fn a_reservation_checks_the_conversation_and_spends_both_budgets_in_one_transaction() {
        let (attachment, caller) = reservation_parts();
        let budget = UploadBudget {
            uploads: 3,
            bytes: 10_000,
        };
        let r = Reservation {
            attachment: &attachment,
            caller: &caller,
            per_conversation: budget,
            per_account: budget,
            day: "2026-11-30".into(),
            now_ms: 1_000,
            request_id: "req",
        };
        let tx = reservation_tx(&r).unwrap();
        assert_eq!(
            tx.slots(),
            &[
                "conversation",
                "attachment",
                "conversation_budget",
                "account_budget",
                "audit"
            ]
        );
        let cond = upload_condition(&r);
        assert!(cond.text.contains("contains(#pids, :me)"), "{}", cond.text);
        assert!(cond.text.contains("#kind = :secure"));
        assert!(cond.text.contains("#ro = :false"));
    }
}
