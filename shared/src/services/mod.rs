//! SHIM (issue 9, remove after the merge): the old paths of the access aggregate, which
//! now lives in [`crate::access`] (model, rules, use cases), [`crate::ports::access`] and
//! `adapters::dynamo::access`. Kept so the other functions compile until they move.

pub mod audit;
pub mod idempotency;
pub mod otp;
pub mod rate_limit;
pub mod sessions;
