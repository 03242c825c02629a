//! `ApiError` for the links use cases' errors: the HTTP edge's half of the mapping.

use super::ApiError;
use crate::links::rules::{InvalidField, UnknownMember};
use crate::links::{CreateLinkError, ListLinksError, LookupError, UpdateLinkError};

impl From<InvalidField> for ApiError {
    fn from(e: InvalidField) -> Self {
        ApiError::invalid(&e.field, e.problem)
    }
}

impl From<UnknownMember> for ApiError {
    fn from(e: UnknownMember) -> Self {
        ApiError::new(404, "not_found", e.to_string())
    }
}

impl From<CreateLinkError> for ApiError {
    fn from(e: CreateLinkError) -> Self {
        match e {
            CreateLinkError::NotAllowed(e) => e.into(),
            CreateLinkError::Invalid(e) => e.into(),
            CreateLinkError::UnknownMember(e) => e.into(),
            CreateLinkError::NoPractice => ApiError::not_found("practice"),
            CreateLinkError::CodeTaken => ApiError::conflict(
                "code_taken",
                "This code is already used by a link; choose another.",
            ),
            CreateLinkError::NoFreeCode => ApiError::unavailable(),
            CreateLinkError::Store(e) => e.into(),
        }
    }
}

impl From<UpdateLinkError> for ApiError {
    fn from(e: UpdateLinkError) -> Self {
        match e {
            UpdateLinkError::NotAllowed(e) => e.into(),
            UpdateLinkError::Invalid(e) => e.into(),
            UpdateLinkError::UnknownMember(e) => e.into(),
            UpdateLinkError::NotFound => ApiError::not_found("link"),
            UpdateLinkError::Store(e) => e.into(),
        }
    }
}

impl From<ListLinksError> for ApiError {
    fn from(e: ListLinksError) -> Self {
        match e {
            ListLinksError::NotAllowed(e) => e.into(),
            ListLinksError::Store(e) => e.into(),
        }
    }
}

impl From<LookupError> for ApiError {
    fn from(e: LookupError) -> Self {
        match e {
            LookupError::NotFound => ApiError::not_found("link"),
            LookupError::Store(e) => e.into(),
        }
    }
}
