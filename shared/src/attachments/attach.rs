//! Attaching ready attachments to a message: the message post's part of the aggregate.
//!
//! A post with `attachment_ids` reads the conversation's meta and those attachment items in
//! one `BatchGetItem` (so a refusal names its reason: missing, not ready, rejected, already
//! attached, or a standard conversation), marks the objects attached in S3 (their
//! `unattached` tag is what the bucket's lifecycle rule deletes), then commits its one
//! `TransactWriteItems`, in which every attachment item is conditioned again (ready, the
//! sender's, not attached yet: the key fixes the conversation) and gets the message id, so
//! two posts can never attach the same file. The message stores [`AttachmentRef`]s (the
//! declaration never changes after reservation), so reading messages needs no extra call.
//!
//! The S3 tag is changed before the commit on purpose: if the commit then fails, the worst
//! case is an object that does not expire; the other order could lose an attached file.

use super::model::{Attachment, ContentType, Filename, Status};
use crate::domain::ids::{AccountId, AttachmentId};
use serde::{Deserialize, Serialize};

/// At most this many attachments per message (API.md).
pub const MAX_PER_MESSAGE: usize = 5;

/// An attachment as a message carries it: `{id, filename, content_type, size}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AttachmentRef {
    pub id: AttachmentId,
    pub filename: Filename,
    pub content_type: ContentType,
    pub size: u64,
}

impl AttachmentRef {
    pub fn of(a: &Attachment) -> Self {
        Self {
            id: a.id,
            filename: a.filename.clone(),
            content_type: a.content_type,
            size: a.size,
        }
    }

    /// The JSON a message shows.
    pub fn view(&self) -> serde_json::Value {
        serde_json::json!({
            "id": self.id,
            "filename": self.filename.as_str(),
            "content_type": self.content_type.as_str(),
            "size": self.size,
        })
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BadAttachmentIds {
    #[error("may list at most 5 attachments")]
    TooMany,
    #[error("lists the same attachment twice")]
    Duplicate,
    #[error("[{0}] is not an attachment id")]
    Malformed(usize),
}

/// The ids of a post's `attachment_ids`: at most five, each once.
pub fn parse_ids(raw: &[String]) -> Result<Vec<AttachmentId>, BadAttachmentIds> {
    if raw.len() > MAX_PER_MESSAGE {
        return Err(BadAttachmentIds::TooMany);
    }
    let mut ids: Vec<AttachmentId> = Vec::with_capacity(raw.len());
    for (i, r) in raw.iter().enumerate() {
        let id: AttachmentId = r.parse().map_err(|_| BadAttachmentIds::Malformed(i))?;
        if ids.contains(&id) {
            return Err(BadAttachmentIds::Duplicate);
        }
        ids.push(id);
    }
    Ok(ids)
}

/// Why an attachment cannot go on this message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum NotAttachable {
    /// Missing, in another conversation, or uploaded by someone else (indistinguishable on
    /// purpose: another person's upload is none of the sender's business).
    #[error("no such attachment: {0}")]
    NotFound(AttachmentId),
    #[error("attachment {0} is still uploading or being checked")]
    NotReady(AttachmentId),
    #[error("attachment {0} was rejected")]
    Rejected(AttachmentId),
    #[error("attachment {0} is already on a message")]
    AlreadyAttached(AttachmentId),
}

/// The refs to put on the message, in the order asked, if every attachment in `found` (what
/// was read for `ids` in this conversation) may be attached by `sender`.
pub fn attachable(
    ids: &[AttachmentId],
    found: &[Attachment],
    sender: &AccountId,
) -> Result<Vec<AttachmentRef>, NotAttachable> {
    ids.iter()
        .map(|id| {
            let a = found
                .iter()
                .find(|a| &a.id == id && &a.uploader == sender)
                .ok_or(NotAttachable::NotFound(*id))?;
            match (a.status, a.message_id) {
                (_, Some(_)) => Err(NotAttachable::AlreadyAttached(*id)),
                (Status::Uploading, None) => Err(NotAttachable::NotReady(*id)),
                (Status::Rejected, None) => Err(NotAttachable::Rejected(*id)),
                (Status::Ready, None) => Ok(AttachmentRef::of(a)),
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::attachments::fakes::{patient, uploaded};
    use crate::domain::ids::{ConversationId, MessageId};

    #[test]
    fn ids_are_at_most_five_distinct_attachment_ids() {
        let ids: Vec<String> = (0..5)
            .map(|_| AttachmentId::generate().to_string())
            .collect();
        assert_eq!(parse_ids(&ids).unwrap().len(), 5);
        let mut six = ids.clone();
        six.push(AttachmentId::generate().to_string());
        assert_eq!(parse_ids(&six), Err(BadAttachmentIds::TooMany));
        assert_eq!(
            parse_ids(&[ids[0].clone(), ids[0].clone()]),
            Err(BadAttachmentIds::Duplicate)
        );
        assert_eq!(
            parse_ids(&[ids[0].clone(), MessageId::generate().to_string()]),
            Err(BadAttachmentIds::Malformed(1))
        );
        assert_eq!(parse_ids(&[]), Ok(vec![]));
    }

    #[test]
    fn only_the_senders_ready_unattached_files_go_on_a_message() {
        let me = patient();
        let conv = ConversationId::generate();
        let mut ready = uploaded(&me, &conv, b"%PDF", ContentType::Pdf);
        ready.status = Status::Ready;
        let waiting = uploaded(&me, &conv, b"x", ContentType::Jpeg);
        let mut rejected = uploaded(&me, &conv, b"x", ContentType::Jpeg);
        rejected.status = Status::Rejected;
        let mut used = ready.clone();
        used.id = AttachmentId::generate();
        used.message_id = Some(MessageId::generate());
        let mut theirs = ready.clone();
        theirs.id = AttachmentId::generate();
        theirs.uploader = AccountId::generate();
        let found = vec![
            ready.clone(),
            waiting.clone(),
            rejected.clone(),
            used.clone(),
            theirs.clone(),
        ];
        let refs = attachable(&[ready.id], &found, &me.account_id).unwrap();
        assert_eq!(refs, vec![AttachmentRef::of(&ready)]);
        let one = |id| attachable(&[ready.id, id], &found, &me.account_id);
        assert_eq!(one(waiting.id), Err(NotAttachable::NotReady(waiting.id)));
        assert_eq!(one(rejected.id), Err(NotAttachable::Rejected(rejected.id)));
        assert_eq!(one(used.id), Err(NotAttachable::AlreadyAttached(used.id)));
        assert_eq!(one(theirs.id), Err(NotAttachable::NotFound(theirs.id)));
        let missing = AttachmentId::generate();
        assert_eq!(one(missing), Err(NotAttachable::NotFound(missing)));
    }
}
