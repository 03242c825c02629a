//! `ApiError` for the invites use cases' errors: the HTTP edge's half of the mapping.

use super::ApiError;
use crate::invites::{CreateInviteError, ResendInviteError, TokenError};

impl From<CreateInviteError> for ApiError {
    fn from(e: CreateInviteError) -> Self {
        match e {
            CreateInviteError::NotAllowed(e) => e.into(),
            CreateInviteError::Invalid(e) => e.into(),
            CreateInviteError::ContactNotFound => ApiError::not_found("contact"),
            CreateInviteError::LinkNotFound(_) => ApiError::not_found("link"),
            CreateInviteError::HasAccount => ApiError::conflict(
                "has_account",
                "This patient already has an account; start a secure conversation with them instead.",
            ),
            CreateInviteError::UnsupportedCountry(e) => e.into(),
            CreateInviteError::TooMany { retry_after_secs } => {
                ApiError::rate_limited(retry_after_secs)
            }
            CreateInviteError::Store(e) => e.into(),
        }
    }
}

impl From<ResendInviteError> for ApiError {
    fn from(e: ResendInviteError) -> Self {
        match e {
            ResendInviteError::NotAllowed(e) => e.into(),
            ResendInviteError::NotFound => ApiError::not_found("invite"),
            ResendInviteError::Accepted => ApiError::conflict(
                "invite_accepted",
                "The patient has already accepted this invite.",
            ),
            ResendInviteError::UnsupportedCountry(e) => e.into(),
            ResendInviteError::TooMany { retry_after_secs } => {
                ApiError::rate_limited(retry_after_secs)
            }
            ResendInviteError::Changed => ApiError::conflict(
                "invite_changed",
                "The invite changed meanwhile (accepted or resent); reload it.",
            ),
            ResendInviteError::Store(e) => e.into(),
        }
    }
}

/// The JSON answer for a token that cannot be used (the link domain's pages answer with
/// their own 404 and 410 pages instead).
impl From<TokenError> for ApiError {
    fn from(e: TokenError) -> Self {
        match e {
            TokenError::NotFound => ApiError::not_found("link"),
            TokenError::Gone => ApiError::new(
                410,
                "invite_gone",
                "This invitation has expired or was already used.",
            ),
            TokenError::Store(e) => e.into(),
        }
    }
}

impl From<crate::pairing::LinkPairingError> for ApiError {
    fn from(e: crate::pairing::LinkPairingError) -> Self {
        use crate::pairing::LinkPairingError;
        match e {
            LinkPairingError::Challenge(e) => e.into(),
            LinkPairingError::LinkGone => ApiError::not_found("link"),
            LinkPairingError::NotALinkSignup => ApiError::internal(),
            LinkPairingError::Store(e) => e.into(),
        }
    }
}

impl From<crate::pairing::AcceptInviteError> for ApiError {
    fn from(e: crate::pairing::AcceptInviteError) -> Self {
        use crate::pairing::AcceptInviteError;
        match e {
            AcceptInviteError::Challenge(e) => e.into(),
            // Signup's answer (start and verify alike) for an invite it cannot accept.
            AcceptInviteError::InviteGone => ApiError::new(
                410,
                "invite_gone",
                "This invite has expired or was already used; ask the practice for a new one.",
            ),
            AcceptInviteError::ContactTaken => ApiError::conflict(
                "contact_has_account",
                "This invite's contact already belongs to another account.",
            ),
            AcceptInviteError::NotAnInviteSignup => ApiError::internal(),
            AcceptInviteError::Store(e) => e.into(),
        }
    }
}
