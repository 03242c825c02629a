//! An invite to a secure conversation, as the domain sees it: no table keys.
//!
//! An invite has a record staff manage ([`Invite`]: survives token changes, remembers the
//! sends and resends) and the current token a click or a signup presents
//! ([`InviteToken`]). Only the token's SHA-256 is ever stored; a resend replaces the token,
//! and the old one stops working at once.

use crate::domain::contact_info::{EmailAddress, PhoneNumber};
use crate::domain::ids::{AccountId, ContactId, ConversationId, InviteId, LinkId, OrgId};
use crate::domain::time::rfc3339;
use crate::ports::SendError;
use serde::{Deserialize, Serialize};

/// Invites expire after 7 days.
pub const INVITE_LIFETIME_MS: i64 = 7 * 24 * 3600 * 1000;
/// Resends allowed per invite within [`RESEND_WINDOW_MS`].
pub const MAX_RESENDS_PER_WINDOW: usize = 3;
pub const RESEND_WINDOW_MS: i64 = 3600 * 1000;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum InviteStatus {
    Pending,
    Accepted,
}

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

impl From<&Result<(), SendError>> for SendOutcome {
    fn from(result: &Result<(), SendError>) -> Self {
        match result {
            Ok(()) => SendOutcome::Ok,
            Err(SendError::OptedOut) => SendOutcome::OptedOut,
            Err(SendError::Unavailable) => SendOutcome::Failed,
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

/// The invite record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Invite {
    pub id: InviteId,
    pub org_id: OrgId,
    pub practice_name: String,
    pub contact_id: ContactId,
    pub conversation_id: ConversationId,
    pub link_id: Option<LinkId>,
    /// The destinations on file when the invite was made: where it goes, what signup proves.
    pub phone: Option<PhoneNumber>,
    pub email: Option<EmailAddress>,
    pub status: InviteStatus,
    /// Names the current token (the plaintext token is never stored).
    pub token_hash: String,
    pub expires_at: i64,
    pub sends: SendResults,
    /// Epoch ms of recent resends (rate limit).
    pub resends: Vec<i64>,
    pub created_at: i64,
    pub created_by: AccountId,
    pub accepted_at: Option<i64>,
    pub account_id: Option<AccountId>,
}

/// What a token presents: enough for the invite page and for signup.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InviteToken {
    pub invite_id: InviteId,
    pub org_id: OrgId,
    pub practice_name: String,
    pub contact_id: ContactId,
    pub conversation_id: ConversationId,
    pub link_id: Option<LinkId>,
    /// What the patient must prove at signup (the invite's destinations).
    pub phone: Option<PhoneNumber>,
    pub email: Option<EmailAddress>,
    pub status: InviteStatus,
    pub expires_at: i64,
}

/// Whether a token can still be used.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenState {
    Usable,
    /// Expired or already used: answer 410.
    Gone,
}

impl InviteToken {
    pub fn state(&self, now: i64) -> TokenState {
        if self.status == InviteStatus::Pending && self.expires_at > now {
            TokenState::Usable
        } else {
            TokenState::Gone
        }
    }
}

impl Invite {
    /// The current token's side of the invite.
    pub fn token(&self) -> InviteToken {
        InviteToken {
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
        }
    }

    pub fn view(&self) -> serde_json::Value {
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
        let recent = self.recent_resends(now);
        (recent.len() >= MAX_RESENDS_PER_WINDOW).then(|| {
            let oldest = recent.iter().copied().min().unwrap_or(now);
            (oldest + RESEND_WINDOW_MS - now).max(1000)
        })
    }

    /// The resends still inside the window at `now`.
    pub fn recent_resends(&self, now: i64) -> Vec<i64> {
        self.resends
            .iter()
            .copied()
            .filter(|t| *t > now - RESEND_WINDOW_MS)
            .collect()
    }
}
