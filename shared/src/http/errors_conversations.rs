//! `ApiError` for the conversations use cases' errors: the HTTP edge's half of the mapping
//! (statuses and codes as API.md lists them).

use super::ApiError;
use crate::conversations::change::ChangeError;
use crate::conversations::create::CreateError;
use crate::conversations::fields::BadField;
use crate::conversations::inbox::InboxError;
use crate::conversations::mark_read::MarkReadError;
use crate::conversations::messages_page::MessagesPageError;
use crate::conversations::post::PostError;
use crate::conversations::seen_by::SeenByError;
use crate::conversations::show::ShowError;
use crate::conversations::Closed;

fn conversation_not_found() -> ApiError {
    ApiError::not_found("conversation")
}

fn bad_cursor() -> ApiError {
    ApiError::invalid("cursor", "not valid for this list")
}

impl From<BadField> for ApiError {
    fn from(e: BadField) -> Self {
        ApiError::invalid(&e.field, e.problem)
    }
}

impl From<Closed> for ApiError {
    fn from(e: Closed) -> Self {
        let code = match e {
            Closed::PendingAccount => "pending_account",
            Closed::ReadOnly => "read_only",
            Closed::OptedOut => "opted_out",
        };
        ApiError::conflict(code, e.to_string())
    }
}

impl From<CreateError> for ApiError {
    fn from(e: CreateError) -> Self {
        match e {
            CreateError::NotAllowed(e) => e.into(),
            CreateError::Invalid(e) => e.into(),
            e @ CreateError::Unknown { .. } => ApiError::new(404, "not_found", e.to_string()),
            e @ CreateError::NoAccount { .. } => ApiError::conflict("no_account", e.to_string()),
            CreateError::NoPracticeAddress(crate::conversations::Channel::Sms) => {
                ApiError::conflict(
                    "no_sms_number",
                    "The practice has no SMS number yet (none was free when it was created); try again later or use email.",
                )
            }
            CreateError::NoPracticeAddress(crate::conversations::Channel::Email) => {
                ApiError::conflict(
                    "no_reply_email",
                    "The practice has no reply address to send email from.",
                )
            }
            CreateError::Store(e) => e.into(),
        }
    }
}

impl From<InboxError> for ApiError {
    fn from(e: InboxError) -> Self {
        match e {
            InboxError::NotAllowed(e) => e.into(),
            InboxError::BadLinkId => ApiError::invalid("link_id", "must be a link id"),
            InboxError::LinkNotFound => ApiError::not_found("link"),
            InboxError::BadCursor => bad_cursor(),
            InboxError::Store(e) => e.into(),
        }
    }
}

impl From<ShowError> for ApiError {
    fn from(e: ShowError) -> Self {
        match e {
            ShowError::NotFound => conversation_not_found(),
            ShowError::Store(e) => e.into(),
        }
    }
}

impl From<ChangeError> for ApiError {
    fn from(e: ChangeError) -> Self {
        match e {
            e @ ChangeError::NothingToChange => {
                ApiError::new(400, "nothing_to_change", e.to_string())
            }
            ChangeError::Invalid(e) => e.into(),
            ChangeError::NotFound => conversation_not_found(),
            e @ ChangeError::ReadOnly => ApiError::conflict("read_only", e.to_string()),
            ChangeError::Store(e) => e.into(),
        }
    }
}

impl From<PostError> for ApiError {
    fn from(e: PostError) -> Self {
        match e {
            PostError::NotFound => conversation_not_found(),
            PostError::Closed(e) => e.into(),
            e @ PostError::KeyReused => ApiError::new(422, "idempotency_key_reused", e.to_string()),
            e @ PostError::AttachmentTaken(_) => {
                ApiError::conflict("attachment_unavailable", format!("attachment_ids: {e}."))
            }
            PostError::AttachmentsNotSupported => ApiError::new(
                400,
                "attachments_not_supported",
                "Standard (SMS and email) conversations take no attachments.",
            ),
            PostError::Busy => ApiError::unavailable(),
            PostError::Store(e) => e.into(),
        }
    }
}

impl From<MessagesPageError> for ApiError {
    fn from(e: MessagesPageError) -> Self {
        match e {
            MessagesPageError::NotFound => conversation_not_found(),
            MessagesPageError::BadCursor => bad_cursor(),
            MessagesPageError::Store(e) => e.into(),
        }
    }
}

impl From<MarkReadError> for ApiError {
    fn from(e: MarkReadError) -> Self {
        match e {
            MarkReadError::ConversationNotFound => conversation_not_found(),
            MarkReadError::MessageNotFound => ApiError::not_found("message"),
            MarkReadError::Busy => ApiError::unavailable(),
            MarkReadError::Store(e) => e.into(),
        }
    }
}

impl From<SeenByError> for ApiError {
    fn from(e: SeenByError) -> Self {
        match e {
            SeenByError::ConversationNotFound => conversation_not_found(),
            SeenByError::MessageNotFound => ApiError::not_found("message"),
            SeenByError::Store(e) => e.into(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_keep_the_contract_statuses_and_codes() {
        let e = ApiError::from(PostError::Closed(Closed::ReadOnly));
        assert_eq!((e.status, e.code), (409, "read_only"));
        let e = ApiError::from(PostError::KeyReused);
        assert_eq!((e.status, e.code), (422, "idempotency_key_reused"));
        let e = ApiError::from(CreateError::NoAccount {
            field: "participant_ids[0]".into(),
        });
        assert_eq!(e.status, 409);
        assert!(e.message.starts_with("participant_ids[0]: "));
        let e = ApiError::from(ChangeError::Invalid(BadField::new("tags[1]", "x")));
        assert_eq!(e.message, "tags[1]: x");
        assert_eq!(ApiError::from(MarkReadError::Busy).status, 503);
    }
}
