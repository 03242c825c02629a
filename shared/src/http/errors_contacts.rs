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
