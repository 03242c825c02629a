//! The message post's part: one conditioned update per attachment, in the post's own
//! transaction (see `crate::attachments::attach` for the flow: the conditions include the
//! filename, type and size the message will show, so they are the item's own).

use super::item::AttachmentItem;
use crate::adapters::dynamo::{n, s, to_attribute, Expr, StoreError, Tx};
use crate::attachments::attach::{AttachmentRef, MAX_PER_MESSAGE};
use crate::attachments::model::Status;
use crate::domain::ids::{AccountId, ConversationId, MessageId};

/// The post's transaction slots of its attachments, in `attachment_ids` order.
pub const ATTACH_SLOTS: [&str; MAX_PER_MESSAGE] = [
    "attachment_0",
    "attachment_1",
    "attachment_2",
    "attachment_3",
    "attachment_4",
];

/// Which of the post's attachments a refused slot names.
pub fn attach_slot_index(slot: &str) -> Option<usize> {
    ATTACH_SLOTS.iter().position(|s| *s == slot)
}

/// Adds to a message post's transaction, for each attachment, `SET message_id, REMOVE ttl`
/// under the condition that it is in this conversation (the key), ready, uploaded by
/// `sender`, on no message yet, and has exactly the filename, type and size the message
/// carries.
pub fn attach_in(
    tx: &mut Tx,
    conversation: &ConversationId,
    sender: &AccountId,
    message: &MessageId,
    attachments: &[AttachmentRef],
) -> Result<(), StoreError> {
    if attachments.len() > MAX_PER_MESSAGE {
        return Err(StoreError::Other(format!(
            "{} attachments",
            attachments.len()
        )));
    }
    for (slot, a) in ATTACH_SLOTS.iter().zip(attachments) {
        let mut e = Expr::new(
            "attribute_exists(#pk) AND #status = :ready AND #uploader = :sender \
             AND attribute_not_exists(#message) \
             AND #filename = :filename AND #type = :type AND #size = :size",
        );
        e.name("#pk", "pk")
            .name("#status", "status")
            .name("#uploader", "uploader")
            .name("#message", "message_id")
            .name("#ttl", "ttl")
            .name("#filename", "filename")
            .name("#type", "content_type")
            .name("#size", "size")
            .value(":ready", s(Status::Ready.as_str()))
            .value(":sender", s(sender.to_string()))
            .value(":m", s(message.to_string()))
            .value(":filename", to_attribute(&a.filename)?)
            .value(":type", to_attribute(&a.content_type)?)
            .value(":size", n(a.size));
        tx.update(
            slot,
            AttachmentItem::key(conversation, &a.id),
            "SET #message = :m REMOVE #ttl",
            e,
        )?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::attachments::model::{ContentType, Filename};
    use crate::domain::ids::AttachmentId;

    fn refs(k: usize) -> Vec<AttachmentRef> {
        (0..k)
            .map(|_| AttachmentRef {
                id: AttachmentId::generate(),
                filename: Filename::parse("scan.pdf").unwrap(),
                content_type: ContentType::Pdf,
                size: 1234,
            })
            .collect()
    }

    #[test]
    fn attaching_conditions_each_attachment_in_its_own_slot() {
        let mut tx = Tx::new();
        let ids = refs(3);
        let (c, a, m) = (
            ConversationId::generate(),
            AccountId::generate(),
            MessageId::generate(),
        );
        attach_in(&mut tx, &c, &a, &m, &ids).unwrap();
        assert_eq!(
            tx.slots(),
            &["attachment_0", "attachment_1", "attachment_2"]
        );
        assert_eq!(attach_slot_index("attachment_2"), Some(2));
        assert_eq!(attach_slot_index("meta"), None);
        let six = refs(6);
        assert!(attach_in(&mut Tx::new(), &c, &a, &m, &six).is_err());
    }
}
