//! # The practice aggregate: practices, their staff, and accounts
//!
//! Model in [`model`] (no table keys), one file per use case with its own error enum,
//! storage behind [`crate::ports::practice`] (`TeamStore`, `SignInStore`), items and
//! transactions in `adapters::dynamo::practice`.
//!
//! | use case | route | round trips |
//! |---|---|---|
//! | [`sign_up::start_signup`] | `POST /v1/orgs` | BatchGetItem + TransactWriteItems (the code) |
//! | [`sign_in::start_sign_in`] | `POST /v1/auth/start` | GetItem (+ Query), then the code's two |
//! | [`verify::verify`] | `POST /v1/auth/verify` | UpdateItem, 0–2 GetItem, TransactWriteItems |
//! | [`list_members::list_members`] | `GET /v1/members` | Query |
//! | [`add_member::add_member`] | `POST /v1/members` | GetItem (+ GetItem), TransactWriteItems |
//! | [`remove_member::remove_member`] | `DELETE /v1/members/{id}` | GetItem, TransactWriteItems, session revocation |
//! | [`org::show_practice`] | `GET /v1/org` | GetItem |
//! | [`org::change_practice`] | `PATCH /v1/org` | TransactWriteItems, GetItem |
//!
//! The authorizer's use case, which reads members and links, is `access::authorize`.

pub mod add_member;
pub mod channels;
pub mod list_members;
pub mod model;
pub mod org;
pub mod remove_member;
pub mod sign_in;
pub mod sign_up;
pub mod verify;

#[cfg(test)]
mod tests;

pub use model::{AccountKind, LinkAccess, MemberStatus, MemberView};
