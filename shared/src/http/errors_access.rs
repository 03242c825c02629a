//! `ApiError` for the access use cases' errors: the HTTP edge's half of the mapping.

use super::ApiError;
use crate::access::check_code::CheckError;
use crate::access::idempotency::IdempotencyError;
use crate::access::rate_limit::RateError;
use crate::access::send_budgets::CountryNotAllowed;
use crate::access::start_code::StartError;
use crate::ports::SendError;

/// 429 for a destination locked by wrong codes (`access::guessing`).
fn locked(retry_after_secs: u64) -> ApiError {
    ApiError::new(
        429,
        "sign_in_locked",
        "Too many wrong codes were entered for this number or address, so signing in with it \
         is paused. Try again after the time in Retry-After.",
    )
    .with_retry_after(retry_after_secs.max(1))
}

/// 400 for a number outside the deployment's SMS countries (`access::send_budgets`).
impl From<CountryNotAllowed> for ApiError {
    fn from(err: CountryNotAllowed) -> Self {
        ApiError::new(
            400,
            "unsupported_country",
            format!("phone: {err}; use a mobile number from one of them."),
        )
    }
}

impl From<CheckError> for ApiError {
    fn from(err: CheckError) -> Self {
        match err {
            CheckError::Malformed(field) => {
                ApiError::invalid(field, "must be the six-digit code we sent")
            }
            CheckError::NotFound => ApiError::not_found("challenge"),
            CheckError::Expired => {
                ApiError::conflict("code_expired", "This code has expired; request a new one.")
            }
            CheckError::Used => ApiError::conflict(
                "code_used",
                "This code was already used; request a new one.",
            ),
            CheckError::Replaced => ApiError::conflict(
                "code_replaced",
                "A newer code was sent; use the code from the latest message.",
            ),
            CheckError::Locked => ApiError::new(
                429,
                "too_many_attempts",
                "Too many wrong codes; request a new one.",
            )
            .with_retry_after(1),
            CheckError::DestinationLocked { retry_after_secs } => locked(retry_after_secs),
            CheckError::WrongCode { attempts_left } => ApiError::new(
                400,
                "wrong_code",
                format!("That code is not right; {attempts_left} attempts left."),
            ),
            CheckError::Store(e) => e.into(),
        }
    }
}

impl From<StartError> for ApiError {
    fn from(err: StartError) -> Self {
        match err {
            StartError::TooManySends { retry_after_secs } => {
                ApiError::rate_limited(retry_after_secs)
            }
            StartError::Locked { retry_after_secs } => locked(retry_after_secs),
            StartError::Undeliverable {
                reason: SendError::OptedOut,
                ..
            } => ApiError::conflict(
                "destination_opted_out",
                "This number or address has opted out of messages from us.",
            ),
            StartError::Undeliverable {
                reason: SendError::Unavailable,
                ..
            } => ApiError::unavailable(),
            StartError::Store(e) => e.into(),
        }
    }
}

impl From<RateError> for ApiError {
    fn from(err: RateError) -> Self {
        match err {
            RateError::Limited { retry_after_secs } => Self::rate_limited(retry_after_secs),
            RateError::Store(e) => e.into(),
        }
    }
}

impl From<IdempotencyError> for ApiError {
    fn from(err: IdempotencyError) -> Self {
        match err {
            IdempotencyError::MalformedKey => {
                ApiError::invalid("Idempotency-Key", "1 to 128 visible ASCII characters")
            }
            IdempotencyError::Reused => ApiError::new(
                422,
                "idempotency_key_reused",
                "This Idempotency-Key was used with a different request.",
            ),
            IdempotencyError::InProgress => ApiError::conflict(
                "request_in_progress",
                "The first request with this key is still running.",
            )
            .with_retry_after(1),
            IdempotencyError::Store(e) => e.into(),
        }
    }
}

impl From<crate::access::sessions::manage::EndSessionError> for ApiError {
    fn from(err: crate::access::sessions::manage::EndSessionError) -> Self {
        use crate::access::sessions::manage::EndSessionError;
        match err {
            EndSessionError::NotFound => ApiError::not_found("session"),
            EndSessionError::Store(e) => e.into(),
        }
    }
}
