//! Invites to a secure conversation: the home of the invites aggregate, its whole
//! lifecycle in one place.
//!
//! - [`model`]: the invite record and its token ([`Invite`], [`InviteToken`]), no keys;
//! - [`rules`]: the routing link and subject an invite request may carry;
//! - use cases, one per file, each with its error enum: [`create`] (invite a contact),
//!   [`resend`], [`click`] (a token presented by a click or a signup); [`deliver`] sends
//!   the texts for both create and resend. Acceptance at signup is
//!   `crate::pairing::accept_invite`.
//!
//! Storage is behind [`crate::ports::invites::InviteStore`] (the DynamoDB side is
//! `adapters::dynamo::invites`); the HTTP mapping is `http::errors_invites`.

pub mod click;
pub mod create;
pub mod deliver;
pub mod model;
pub mod resend;
pub mod rules;

#[cfg(test)]
mod fake;

pub use click::{find_token, usable_token, TokenError};
pub use create::{create_invite, invite_contact, CreateInvite, CreateInviteError, InviteSpec};
pub use deliver::Outbox;
pub use model::{
    Invite, InviteStatus, InviteToken, SendOutcome, SendResult, SendResults, TokenState,
    INVITE_LIFETIME_MS, MAX_RESENDS_PER_WINDOW, RESEND_WINDOW_MS,
};
pub use resend::{resend_invite, ResendInviteError};
