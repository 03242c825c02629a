//! `ApiError` for the attachments use cases' errors: the HTTP edge's half of the mapping.

use super::error::ApiError;
use crate::attachments::attach::{BadAttachmentIds, NotAttachable, PrepareError};
use crate::attachments::check::CheckError;
use crate::attachments::model::{BadFilename, BadSize, UnsupportedType};
use crate::attachments::read::ReadError;
use crate::attachments::reserve::ReserveError;
use crate::ports::attachments::FilesError;

impl From<UnsupportedType> for ApiError {
    fn from(e: UnsupportedType) -> Self {
        ApiError::new(415, "unsupported_media_type", e.to_string())
    }
}

impl From<BadSize> for ApiError {
    fn from(e: BadSize) -> Self {
        match e {
            BadSize::Empty => ApiError::invalid("size", e),
            BadSize::TooLarge(_) => ApiError::new(413, "too_large", format!("size: {e}")),
        }
    }
}

impl From<BadFilename> for ApiError {
    fn from(e: BadFilename) -> Self {
        ApiError::invalid("filename", e)
    }
}

impl From<FilesError> for ApiError {
    fn from(e: FilesError) -> Self {
        match e {
            FilesError::Unavailable => ApiError::unavailable(),
            FilesError::Missing => ApiError::not_found("attachment"),
            FilesError::Other(detail) => {
                tracing::error!(error = %detail, "object storage error");
                ApiError::internal()
            }
        }
    }
}

impl From<ReserveError> for ApiError {
    fn from(e: ReserveError) -> Self {
        match e {
            ReserveError::NotFound => ApiError::not_found("conversation"),
            ReserveError::ReadOnly => {
                ApiError::conflict("read_only", "The conversation is read-only.")
            }
            ReserveError::PendingAccount => ApiError::conflict(
                "pending_account",
                "The patient has not created an account yet.",
            ),
            ReserveError::NotSecure => ApiError::new(
                400,
                "attachments_not_supported",
                "Standard (SMS and email) conversations take no attachments.",
            ),
            ReserveError::ConversationBudget | ReserveError::AccountBudget => ApiError::new(
                429,
                "upload_budget_exhausted",
                format!("Too many uploads today: {e}."),
            )
            .with_retry_after(3600),
            ReserveError::Store(s) => s.into(),
            ReserveError::Files(f) => f.into(),
        }
    }
}

impl From<ReadError> for ApiError {
    fn from(e: ReadError) -> Self {
        match e {
            ReadError::ConversationNotFound => ApiError::not_found("conversation"),
            ReadError::AttachmentNotFound => ApiError::not_found("attachment"),
            ReadError::Store(s) => s.into(),
            ReadError::Files(f) => f.into(),
        }
    }
}

impl From<CheckError> for ApiError {
    fn from(e: CheckError) -> Self {
        match e {
            CheckError::Store(s) => s.into(),
            CheckError::Files(f) => f.into(),
        }
    }
}

impl From<BadAttachmentIds> for ApiError {
    fn from(e: BadAttachmentIds) -> Self {
        ApiError::invalid("attachment_ids", e)
    }
}

impl From<NotAttachable> for ApiError {
    fn from(e: NotAttachable) -> Self {
        let message = format!("attachment_ids: {e}.");
        match e {
            NotAttachable::NotFound(_) => ApiError::new(404, "attachment_not_found", message),
            NotAttachable::NotReady(_) => ApiError::conflict("attachment_not_ready", message),
            NotAttachable::Rejected(_) => ApiError::conflict("attachment_rejected", message),
            NotAttachable::Taken(_) => ApiError::conflict("attachment_unavailable", message),
        }
    }
}

impl From<PrepareError> for ApiError {
    fn from(e: PrepareError) -> Self {
        match e {
            PrepareError::ConversationNotFound => ApiError::not_found("conversation"),
            PrepareError::NotSecure => ApiError::new(
                400,
                "attachments_not_supported",
                "Standard (SMS and email) conversations take no attachments.",
            ),
            PrepareError::Closed(c) => c.into(),
            PrepareError::NotAttachable(n) => n.into(),
            PrepareError::Store(s) => s.into(),
            PrepareError::Files(f) => f.into(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::ids::AttachmentId;

    #[test]
    fn attachment_refusals_name_their_reason() {
        let id = AttachmentId::generate();
        let cases = [
            (NotAttachable::NotFound(id), 404, "attachment_not_found"),
            (NotAttachable::NotReady(id), 409, "attachment_not_ready"),
            (NotAttachable::Rejected(id), 409, "attachment_rejected"),
            (NotAttachable::Taken(id), 409, "attachment_unavailable"),
        ];
        for (e, status, code) in cases {
            let api = ApiError::from(e);
            assert_eq!((api.status, api.code), (status, code));
            assert!(api.message.contains(&id.to_string()));
        }
        let standard = ApiError::from(PrepareError::NotSecure);
        assert_eq!(
            (standard.status, standard.code),
            (400, "attachments_not_supported")
        );
        let many = ApiError::from(BadAttachmentIds::TooMany);
        assert_eq!((many.status, many.code), (400, "invalid_field"));
    }
}
