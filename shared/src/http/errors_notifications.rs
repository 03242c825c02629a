//! Notification and sync use-case errors → the contract's statuses.

use super::ApiError;
use crate::notifications::devices::{RegisterError, RemoveError};
use crate::sync::feed::FeedError;

impl From<RegisterError> for ApiError {
    fn from(e: RegisterError) -> Self {
        match e {
            RegisterError::NotConfigured => ApiError::invalid(
                "platform",
                "push notifications are not available for this platform",
            ),
            RegisterError::PushUnavailable => ApiError::unavailable(),
            RegisterError::Store(e) => e.into(),
        }
    }
}

impl From<RemoveError> for ApiError {
    fn from(e: RemoveError) -> Self {
        match e {
            RemoveError::NotFound => ApiError::not_found("device"),
            RemoveError::Store(e) => e.into(),
        }
    }
}

impl From<FeedError> for ApiError {
    fn from(e: FeedError) -> Self {
        match e {
            FeedError::Gone => ApiError::new(
                410,
                "cursor_expired",
                "This cursor is older than the sync window; reload the inbox, then sync from 0 or from a newer cursor.",
            ),
            FeedError::Store(e) => e.into(),
        }
    }
}
