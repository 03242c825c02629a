//! `ApiError` for the contacts use cases' errors: the HTTP edge's half of the mapping.

use super::ApiError;
use crate::contacts::{CreateContactError, GetContactError, SearchContactsError};

impl From<CreateContactError> for ApiError {
    fn from(e: CreateContactError) -> Self {
        match e {
            CreateContactError::NotAllowed(e) => e.into(),
            CreateContactError::Invalid(e) => e.into(),
            CreateContactError::Store(e) => e.into(),
        }
    }
}

impl From<GetContactError> for ApiError {
    fn from(e: GetContactError) -> Self {
        match e {
            GetContactError::NotAllowed(e) => e.into(),
            GetContactError::NotFound => ApiError::not_found("contact"),
            GetContactError::Store(e) => e.into(),
        }
    }
}

impl From<SearchContactsError> for ApiError {
    fn from(e: SearchContactsError) -> Self {
        match e {
            SearchContactsError::NotAllowed(e) => e.into(),
            SearchContactsError::Invalid(e) => e.into(),
            SearchContactsError::Store(e) => e.into(),
        }
    }
}

impl From<crate::contacts::ConfirmError> for ApiError {
    fn from(e: crate::contacts::ConfirmError) -> Self {
        use crate::contacts::ConfirmError;
        match e {
            ConfirmError::NotAllowed(e) => e.into(),
            ConfirmError::ConversationNotFound => ApiError::not_found("conversation"),
            ConfirmError::ContactNotFound => ApiError::not_found("contact"),
            e @ ConfirmError::AlreadyVerified => {
                ApiError::conflict("already_verified", e.to_string())
            }
            e @ ConfirmError::NotALinkSignup => {
                ApiError::conflict("not_a_link_signup", e.to_string())
            }
            e @ ConfirmError::ContactHasAccount => {
                ApiError::conflict("contact_has_account", e.to_string())
            }
            ConfirmError::Store(e) => e.into(),
        }
    }
}
