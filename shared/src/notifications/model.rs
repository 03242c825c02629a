//! The notification model: push platforms and tokens, devices, the facts a push or a
//! reminder needs about a conversation and its practice, and the two rules
//! ([`push_threshold`], [`ReminderSetting::due_at`]). Pure: no AWS types.

use crate::domain::ids::{AccountId, ConversationId, DeviceId, MessageId, OrgId, SenderId};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The push services Canopy's apps use.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Platform {
    /// Apple Push Notification service (SNS platform `APNS`).
    Ios,
    /// Firebase Cloud Messaging (SNS platform `GCM`).
    Android,
}

impl Platform {
    pub fn parse(value: &str) -> Option<Self> {
        match value {
            "ios" => Some(Self::Ios),
            "android" => Some(Self::Android),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Ios => "ios",
            Self::Android => "android",
        }
    }
}

/// Longest APNs device token SNS takes (Apple's tokens are 32 bytes today, documented to
/// grow to 100 bytes: 200 hex characters).
pub const MAX_APNS_TOKEN_CHARS: usize = 200;
/// Longest FCM registration token accepted (FCM's are about 160 characters; SNS keeps
/// endpoint attributes, the token among them, well under 4 KB).
pub const MAX_FCM_TOKEN_CHARS: usize = 4_096;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BadToken {
    #[error("must not be empty")]
    Empty,
    #[error("is longer than the push service allows")]
    TooLong,
    #[error("has characters a push token never has")]
    Charset,
}

/// A device's push token, checked for its platform. Debug never prints it (a token lets
/// anyone holding the platform credentials reach the phone).
#[derive(Clone, PartialEq, Eq)]
pub struct PushToken(String);

impl PushToken {
    pub fn parse(platform: Platform, token: &str) -> Result<Self, BadToken> {
        // No trimming: a token is machine-made, and the contract's patterns (openapi) name
        // exactly the characters accepted.
        if token.is_empty() {
            return Err(BadToken::Empty);
        }
        let (max, allowed): (usize, fn(u8) -> bool) = match platform {
            Platform::Ios => (MAX_APNS_TOKEN_CHARS, |b| b.is_ascii_hexdigit()),
            Platform::Android => (MAX_FCM_TOKEN_CHARS, |b| {
                b.is_ascii_alphanumeric() || matches!(b, b':' | b'_' | b'-' | b'.')
            }),
        };
        if token.len() > max {
            return Err(BadToken::TooLong);
        }
        if !token.bytes().all(allowed) {
            return Err(BadToken::Charset);
        }
        Ok(Self(token.to_string()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// What the store keys the token by (never the token itself).
    pub fn hash(&self) -> String {
        crate::domain::secrets::token_hash(&self.0)
    }
}

impl std::fmt::Debug for PushToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "PushToken(<{} chars>)", self.0.len())
    }
}

/// A registered device: the SNS platform endpoint that reaches it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Device {
    pub id: DeviceId,
    pub account: AccountId,
    pub platform: Platform,
    pub token_hash: String,
    pub endpoint: String,
    pub created_at: i64,
}

/// Who takes part in a conversation, as a push or a reminder needs it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ParticipantRole {
    Patient,
    Staff,
}

/// A conversation as notifications see it (read from its meta item).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConversationFacts {
    pub id: ConversationId,
    pub org: OrgId,
    pub secure: bool,
    pub participants: Vec<(AccountId, ParticipantRole)>,
    /// Account id → when that reader's horizon last moved (epoch ms).
    pub read_at: BTreeMap<AccountId, i64>,
}

impl ConversationFacts {
    pub fn role_of(&self, account: &AccountId) -> Option<ParticipantRole> {
        self.participants
            .iter()
            .find(|(a, _)| a == account)
            .map(|(_, r)| *r)
    }
}

/// The practice's unread reminder setting (`settings.unread_reminder_minutes`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReminderSetting {
    /// Remind this many minutes after the first unread staff message (0: at once).
    After(u32),
    Never,
}

/// Default of `unread_reminder_minutes` (API.md).
pub const DEFAULT_REMINDER_MINUTES: u32 = 60;
/// Largest `unread_reminder_minutes` (a week).
pub const MAX_REMINDER_MINUTES: u32 = 10_080;

impl ReminderSetting {
    /// When a reminder for an unread run that started at `first_unread_ms` is due.
    pub fn due_at(self, first_unread_ms: i64) -> Option<i64> {
        match self {
            Self::After(minutes) => Some(first_unread_ms + i64::from(minutes) * 60_000),
            Self::Never => None,
        }
    }
}

/// A practice as notifications see it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PracticeFacts {
    pub id: OrgId,
    pub name: String,
    pub reminders: ReminderSetting,
}

/// How long a push for one conversation keeps later messages in it from buzzing the same
/// person again, unless they read the conversation in between.
pub const PUSH_COALESCE_MS: i64 = 2 * 60_000;

/// The coalescing rule: a recipient gets a push for a conversation only if the last push
/// for it was sent before this threshold, i.e. before they last read it, or more than
/// [`PUSH_COALESCE_MS`] ago.
pub fn push_threshold(now_ms: i64, last_read_ms: Option<i64>) -> i64 {
    (now_ms - PUSH_COALESCE_MS).max(last_read_ms.unwrap_or(i64::MIN))
}

/// A new message someone else should hear about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewMessage {
    pub conversation: ConversationId,
    pub message: MessageId,
    /// An account, or the contact of an inbound SMS / email (who has no devices).
    pub sender: SenderId,
    pub sent_at: i64,
}

/// A reminder waiting in the due index.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DueReminder {
    pub conversation: ConversationId,
    pub account: AccountId,
    pub org: OrgId,
    pub due_ms: i64,
}

/// Where a reminder can reach a patient.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Recipient {
    pub phone: Option<crate::domain::contact_info::PhoneNumber>,
    pub email: Option<crate::domain::contact_info::EmailAddress>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_checked_per_platform() {
        assert!(PushToken::parse(Platform::Ios, &"ab12".repeat(16)).is_ok());
        assert_eq!(
            PushToken::parse(Platform::Ios, &"a".repeat(201)),
            Err(BadToken::TooLong)
        );
        assert_eq!(
            PushToken::parse(Platform::Ios, "xyz"),
            Err(BadToken::Charset)
        );
        assert!(PushToken::parse(Platform::Android, "fcm:APA91b-x_y.z").is_ok());
        assert_eq!(
            PushToken::parse(Platform::Android, &"a".repeat(4_097)),
            Err(BadToken::TooLong)
        );
        // Tokens are machine-made: surrounding white space is refused, not trimmed.
        assert_eq!(
            PushToken::parse(Platform::Android, " "),
            Err(BadToken::Charset)
        );
        assert_eq!(
            PushToken::parse(Platform::Android, ""),
            Err(BadToken::Empty)
        );
        let t = PushToken::parse(Platform::Android, "secret-token").unwrap();
        assert!(!format!("{t:?}").contains("secret"));
    }

    #[test]
    fn a_read_reopens_pushes_and_otherwise_they_wait_the_window() {
        let now = 10_000_000;
        assert_eq!(push_threshold(now, None), now - PUSH_COALESCE_MS);
        assert_eq!(push_threshold(now, Some(now - 1_000)), now - 1_000);
        assert_eq!(
            push_threshold(now, Some(now - PUSH_COALESCE_MS - 1)),
            now - PUSH_COALESCE_MS
        );
    }

    #[test]
    fn reminders_fall_due_after_the_practice_setting() {
        assert_eq!(ReminderSetting::After(0).due_at(5), Some(5));
        assert_eq!(ReminderSetting::After(60).due_at(0), Some(3_600_000));
        assert_eq!(ReminderSetting::Never.due_at(5), None);
        assert_eq!(Platform::parse("windows"), None);
    }
}
