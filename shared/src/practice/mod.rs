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
//!
//! The authorizer's use case, which reads members and links, is `access::authorize`.

pub mod add_member;
pub mod list_members;
pub mod model;
pub mod remove_member;
pub mod sign_in;
pub mod sign_up;
pub mod verify;

#[cfg(test)]
mod tests;

pub use model::{AccountKind, LinkAccess, MemberStatus, MemberView};

// SHIM (issue 9, remove after the merge): the old item types and item-returning reads,
// for the functions of other lanes and the test fixtures.
pub use crate::adapters::dynamo::practice::legacy::{
    get_account, get_login, get_member, get_org, list_members as list_member_items,
};
pub use crate::adapters::dynamo::practice::{
    AccountItem, LoginItem, MemberItem, OrgItem, StaffInviteItem,
};

/// SHIM (issue 9): `practice::list_members(app, org)` as the links function calls it.
pub async fn list_members(
    app: &crate::App,
    org: &crate::domain::ids::OrgId,
) -> Result<Vec<MemberItem>, crate::adapters::dynamo::StoreError> {
    list_member_items(app, org).await
}
