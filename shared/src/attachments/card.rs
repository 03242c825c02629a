//! The attachment card: what a message shows of a ready attachment, kept next to its bytes
//! so that posting it needs no DynamoDB read.
//!
//! Why it exists: a post with `attachment_ids` must be one DynamoDB round trip (its
//! `TransactWriteItems`), and a transaction returns nothing on success, yet the 201 and
//! every later read show each attachment's `{id, filename, content_type, size}`. Those
//! values were declared at reservation and checked by the upload check; the post must not
//! take them from the client (who could claim any name, type or size), and it must not
//! read the attachment items first (that read was the second round trip).
//!
//! The design: when the upload check finds an object matching its declaration, it writes
//! the attachment's card, a small JSON object at [`card_key`] (`cards/<conv>/<att>`: ids
//! only), before it records `ready`. Only the server writes there: upload URLs are
//! presigned for exactly one `attachments/…` key, and the bucket encrypts every object
//! with its KMS key (the file name is PHI, so it goes in the encrypted body, never in S3
//! metadata or tags, which are not encrypted). The post reads the cards (one S3 GET each,
//! concurrently, beside the tagging it already does) and then its one transaction
//! conditions every attachment item on `ready`, the sender as uploader, no message yet
//! *and* the card's filename, type and size: a stale or tampered card cannot put other
//! metadata on a message, it only makes the post fail (409). The message stores the
//! values, so readers need no extra call either.
//!
//! A missing card (an older upload, or a failed write) is not an error: the post falls
//! back to reading the items (`attach::prepare`), at the cost of that one read. Cards are
//! not needed once attached; the bucket's lifecycle expires them after two days, like the
//! attachment items that are never attached.

use super::attach::AttachmentRef;
use super::model::Attachment;
use crate::domain::ids::{AccountId, AttachmentId, ConversationId};
use serde::{Deserialize, Serialize};

/// Every card's key starts with this (outside [`super::model::OBJECT_PREFIX`], so S3 does not notify the
/// upload check of cards, and their own lifecycle rule applies).
pub const CARD_PREFIX: &str = "cards/";

/// Where the card of an attachment lives: ids only.
pub fn card_key(conversation: &ConversationId, attachment: &AttachmentId) -> String {
    format!("{CARD_PREFIX}{conversation}/{attachment}")
}

/// A ready attachment as the upload check saw it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AttachmentCard {
    pub conversation_id: ConversationId,
    pub uploader: AccountId,
    #[serde(flatten)]
    pub attachment: AttachmentRef,
}

impl AttachmentCard {
    pub fn of(a: &Attachment) -> Self {
        Self {
            conversation_id: a.conversation_id,
            uploader: a.uploader,
            attachment: AttachmentRef::of(a),
        }
    }

    pub fn to_bytes(&self) -> Vec<u8> {
        serde_json::to_vec(self).unwrap_or_default()
    }

    /// The card read back, if it parses and is the one for this key's ids.
    pub fn parse(
        bytes: &[u8],
        conversation: &ConversationId,
        attachment: &AttachmentId,
    ) -> Option<Self> {
        serde_json::from_slice::<Self>(bytes)
            .ok()
            .filter(|c| &c.conversation_id == conversation && &c.attachment.id == attachment)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::attachments::fakes::{patient, uploaded};
    use crate::attachments::model::{ContentType, OBJECT_PREFIX};

    #[test]
    fn a_card_round_trips_only_under_its_own_key() {
        let me = patient();
        let conv = ConversationId::generate();
        let a = uploaded(&me, &conv, b"%PDF", ContentType::Pdf);
        let card = AttachmentCard::of(&a);
        assert_eq!(card_key(&conv, &a.id), format!("cards/{conv}/{}", a.id));
        assert!(!card_key(&conv, &a.id).starts_with(OBJECT_PREFIX));
        let bytes = card.to_bytes();
        assert_eq!(AttachmentCard::parse(&bytes, &conv, &a.id), Some(card));
        assert_eq!(
            AttachmentCard::parse(&bytes, &ConversationId::generate(), &a.id),
            None
        );
        assert_eq!(
            AttachmentCard::parse(&bytes, &conv, &AttachmentId::generate()),
            None
        );
        assert_eq!(AttachmentCard::parse(b"{}", &conv, &a.id), None);
    }
}
