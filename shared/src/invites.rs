//! Invites to a secure conversation: the item shared by the invite routes (contacts
//! function), the invite page (`GET /i/{token}`, link-pages function) and signup.
//!
//! Two items per invite: the record `ORG#o` / `INVITE#inv` (what staff manage; survives
//! token changes) and the token item `INVITE#sha256(token)` / `#INVITE` (what a click or a
//! signup presents). Resend deletes the old token item and puts a new one in one
//! transaction, so the old token stops working at once.

use crate::adapters::dynamo::{self, keys, StoreError};
use crate::app::App;
use crate::domain::contact_info::{EmailAddress, PhoneNumber};
use crate::domain::ids::{ContactId, ConversationId, InviteId, LinkId, OrgId};
use crate::domain::secrets::{looks_like_token, token_hash};
use serde::{Deserialize, Serialize};

/// Invites expire after 7 days.
pub const INVITE_LIFETIME_MS: i64 = 7 * 24 * 3600 * 1000;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum InviteStatus {
    Pending,
    Accepted,
}

/// The token item: `INVITE#sha256(token)` / `#INVITE`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct InviteTokenItem {
    pub pk: String,
    pub sk: String,
    pub invite_id: InviteId,
    pub org_id: OrgId,
    pub practice_name: String,
    pub contact_id: ContactId,
    pub conversation_id: ConversationId,
    #[serde(default)]
    pub link_id: Option<LinkId>,
    /// What the patient must prove at signup (the invite's destinations).
    pub phone: Option<PhoneNumber>,
    pub email: Option<EmailAddress>,
    pub status: InviteStatus,
    pub expires_at: i64,
    pub ttl: i64,
}

/// Why a token cannot be used.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenState {
    Usable,
    /// Expired or already used: answer 410.
    Gone,
}

impl InviteTokenItem {
    pub fn key_for_token(token: &str) -> dynamo::Item {
        dynamo::key(
            keys::invite_token_pk(&token_hash(token)),
            keys::INVITE_TOKEN_SK,
        )
    }

    pub fn state(&self, now: i64) -> TokenState {
        if self.status == InviteStatus::Pending && self.expires_at > now {
            TokenState::Usable
        } else {
            TokenState::Gone
        }
    }
}

/// The token item for a plaintext token (None: malformed or unknown, including a token
/// replaced by a resend).
pub async fn get_by_token(app: &App, token: &str) -> Result<Option<InviteTokenItem>, StoreError> {
    if !looks_like_token(token) {
        return Ok(None);
    }
    let out = app
        .db
        .get_item()
        .table_name(app.table())
        .set_key(Some(InviteTokenItem::key_for_token(token)))
        .consistent_read(true)
        .send()
        .await?;
    out.item.map(dynamo::from_item).transpose()
}
