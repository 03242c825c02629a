//! Application services used by more than one function.

pub mod audit;
pub mod idempotency;
pub mod otp;
pub mod rate_limit;
pub mod sessions;
