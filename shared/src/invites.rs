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

/// Resends allowed per invite within [`RESEND_WINDOW_MS`].
pub const MAX_RESENDS_PER_WINDOW: usize = 3;
pub const RESEND_WINDOW_MS: i64 = 3600 * 1000;

/// How one channel's send went.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SendOutcome {
    Ok,
    /// The number opted out of SMS (or the address is suppressed): staff must be told.
    OptedOut,
    /// The gateway failed; resend to retry.
    Failed,
}

impl From<&Result<(), crate::ports::SendError>> for SendOutcome {
    fn from(result: &Result<(), crate::ports::SendError>) -> Self {
        match result {
            Ok(()) => SendOutcome::Ok,
            Err(crate::ports::SendError::OptedOut) => SendOutcome::OptedOut,
            Err(crate::ports::SendError::Unavailable) => SendOutcome::Failed,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct SendResult {
    pub outcome: SendOutcome,
    pub at: i64,
}

/// The last send per channel (None: that channel has no destination on file).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SendResults {
    #[serde(default)]
    pub sms: Option<SendResult>,
    #[serde(default)]
    pub email: Option<SendResult>,
}

/// The invite record: `ORG#o` / `INVITE#inv`. It survives token changes; `token_hash` names
/// the current token item (the plaintext token is never stored).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct InviteItem {
    pub pk: String,
    pub sk: String,
    pub id: InviteId,
    pub org_id: OrgId,
    pub practice_name: String,
    pub contact_id: ContactId,
    pub conversation_id: ConversationId,
    #[serde(default)]
    pub link_id: Option<LinkId>,
    /// The destinations on file when the invite was made: where it goes, what signup proves.
    pub phone: Option<PhoneNumber>,
    pub email: Option<EmailAddress>,
    pub status: InviteStatus,
    pub token_hash: String,
    pub expires_at: i64,
    #[serde(default)]
    pub sends: SendResults,
    /// Epoch ms of recent resends (rate limit).
    #[serde(default)]
    pub resends: Vec<i64>,
    pub created_at: i64,
    pub created_by: crate::domain::ids::AccountId,
    #[serde(default)]
    pub accepted_at: Option<i64>,
    #[serde(default)]
    pub account_id: Option<crate::domain::ids::AccountId>,
}

impl InviteItem {
    pub fn key_for(org: &OrgId, invite: &InviteId) -> dynamo::Item {
        dynamo::key(keys::org_pk(org), keys::invite_sk(invite))
    }

    /// The token item for the current token.
    pub fn token_item(&self, token_hash: &str) -> InviteTokenItem {
        InviteTokenItem {
            pk: keys::invite_token_pk(token_hash),
            sk: keys::INVITE_TOKEN_SK.into(),
            invite_id: self.id,
            org_id: self.org_id,
            practice_name: self.practice_name.clone(),
            contact_id: self.contact_id,
            conversation_id: self.conversation_id,
            link_id: self.link_id,
            phone: self.phone.clone(),
            email: self.email.clone(),
            status: InviteStatus::Pending,
            expires_at: self.expires_at,
            ttl: self.expires_at / 1000 + 24 * 3600,
        }
    }

    pub fn view(&self) -> serde_json::Value {
        use crate::domain::time::rfc3339;
        let sent = |r: Option<SendResult>| r.is_some_and(|r| r.outcome == SendOutcome::Ok);
        serde_json::json!({
            "id": self.id,
            "conversation_id": self.conversation_id,
            "contact_id": self.contact_id,
            "link_id": self.link_id,
            "status": self.status,
            "expires_at": rfc3339(self.expires_at),
            "sent_to": { "sms": sent(self.sends.sms), "email": sent(self.sends.email) },
            "send_results": {
                "sms": self.sends.sms.map(|r| r.outcome),
                "email": self.sends.email.map(|r| r.outcome),
            },
            "created_at": rfc3339(self.created_at),
        })
    }

    /// Resends inside the window, and when the next one is allowed if the budget is spent.
    pub fn resend_wait_ms(&self, now: i64) -> Option<i64> {
        let recent: Vec<i64> = self
            .resends
            .iter()
            .copied()
            .filter(|t| *t > now - RESEND_WINDOW_MS)
            .collect();
        (recent.len() >= MAX_RESENDS_PER_WINDOW).then(|| {
            let oldest = recent.iter().copied().min().unwrap_or(now);
            (oldest + RESEND_WINDOW_MS - now).max(1000)
        })
    }
}

/// The invite record of a practice (consistent read).
pub async fn get(
    app: &App,
    org: &OrgId,
    invite: &InviteId,
) -> Result<Option<InviteItem>, StoreError> {
    let out = app
        .db
        .get_item()
        .table_name(app.table())
        .set_key(Some(InviteItem::key_for(org, invite)))
        .consistent_read(true)
        .send()
        .await?;
    out.item.map(dynamo::from_item).transpose()
}
