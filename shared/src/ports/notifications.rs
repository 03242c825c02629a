//! Storage and push ports of notifications (`crate::notifications`): devices, each
//! participant's push and reminder state, and the push service.

use crate::adapters::dynamo::StoreError;
use crate::domain::contact_info::PhoneNumber;
use crate::domain::ids::{AccountId, ConversationId, DeviceId, MessageId, OrgId};
use crate::notifications::model::{
    ConversationFacts, Device, DueReminder, Platform, PracticeFacts, PushToken, Recipient,
};
use async_trait::async_trait;
use std::collections::HashMap;

/// Why saving a device did not happen.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SaveDeviceError {
    /// The token's owner changed since it was read (a concurrent registration): read again.
    #[error("the token's owner changed")]
    Raced,
    #[error(transparent)]
    Store(#[from] StoreError),
}

#[async_trait]
pub trait DeviceStore: Send + Sync {
    /// The device a token is registered as (by anyone), if any.
    async fn device_by_token(
        &self,
        platform: Platform,
        token_hash: &str,
    ) -> Result<Option<Device>, StoreError>;
    /// Saves `device` and its token's owner record; `replacing`: the token's previous
    /// device (another account's), removed in the same transaction.
    async fn save_device(
        &self,
        device: &Device,
        replacing: Option<&Device>,
    ) -> Result<(), SaveDeviceError>;
    async fn device(
        &self,
        account: &AccountId,
        id: &DeviceId,
    ) -> Result<Option<Device>, StoreError>;
    /// Removes a device and its token record (a no-op when already gone).
    async fn remove_device(&self, device: &Device) -> Result<(), StoreError>;
    /// Every device of an account (one Query).
    async fn devices_of(&self, account: &AccountId) -> Result<Vec<Device>, StoreError>;
}

/// Why a push-service call failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PushError {
    /// The push service disabled the endpoint (app uninstalled, token expired).
    #[error("the endpoint is disabled")]
    EndpointDisabled,
    /// No platform application is configured for this platform.
    #[error("push is not configured for this platform")]
    NotConfigured,
    /// Throttled or unreachable: try again later.
    #[error("the push service is unavailable")]
    Unavailable,
}

#[async_trait]
pub trait PushGateway: Send + Sync {
    /// The endpoint for a token, owned by `account` (kept in the endpoint's user data).
    async fn register(
        &self,
        platform: Platform,
        token: &PushToken,
        account: &AccountId,
    ) -> Result<String, PushError>;
    /// Hands an existing endpoint to another account and re-enables it.
    async fn reassign(&self, endpoint: &str, account: &AccountId) -> Result<(), PushError>;
    /// Sends one push (an SNS `MessageStructure: json` payload).
    async fn publish(&self, endpoint: &str, payload: &str) -> Result<(), PushError>;
    async fn unregister(&self, endpoint: &str) -> Result<(), PushError>;
}

/// Each participant's notification state (`CONV#c` / `N#a`) and the facts it needs.
#[async_trait]
pub trait NotifyStore: Send + Sync {
    /// The conversations' metas, as facts (one BatchGetItem per 100).
    async fn conversations(
        &self,
        ids: &[ConversationId],
    ) -> Result<HashMap<ConversationId, ConversationFacts>, StoreError>;
    /// The practices' names and reminder settings (one BatchGetItem per 100).
    async fn practices(&self, ids: &[OrgId]) -> Result<HashMap<OrgId, PracticeFacts>, StoreError>;
    /// Claims the push of `message` to `account`: true if no push for this conversation
    /// was sent to them at or after `threshold_ms` (or this message's own push was claimed
    /// but never completed, as when the send failed and the record is retried).
    async fn claim_push(
        &self,
        conversation: &ConversationId,
        account: &AccountId,
        message: &MessageId,
        threshold_ms: i64,
        now_ms: i64,
    ) -> Result<bool, StoreError>;
    /// Marks a claimed push as sent, so a redelivered record does not send it again.
    async fn push_sent(
        &self,
        conversation: &ConversationId,
        account: &AccountId,
        message: &MessageId,
    ) -> Result<(), StoreError>;
    /// Starts the unread run's reminder, due at `due_ms`, unless one is already pending or
    /// sent for this run; true if it was scheduled now.
    async fn schedule_reminder(&self, reminder: &DueReminder) -> Result<bool, StoreError>;
    /// The patient read the conversation: the unread run is over (no reminder pending).
    async fn reset_reminder(
        &self,
        conversation: &ConversationId,
        account: &AccountId,
    ) -> Result<(), StoreError>;
    /// Reminders due at `now_ms`, oldest first (one Query on the due index).
    async fn due_reminders(&self, now_ms: i64, limit: i32) -> Result<Vec<DueReminder>, StoreError>;
    /// Takes a due reminder out of the index to send it: true for exactly one caller.
    async fn claim_reminder(&self, reminder: &DueReminder, now_ms: i64)
        -> Result<bool, StoreError>;
    /// A claimed reminder was sent (or deliberately not: opted out, no address).
    async fn finish_reminder(
        &self,
        reminder: &DueReminder,
        outcome: &'static str,
    ) -> Result<(), StoreError>;
    /// A claimed reminder could not be sent now: back into the index for the next sweep.
    async fn release_reminder(&self, reminder: &DueReminder) -> Result<(), StoreError>;
    /// Where the account can be reached.
    async fn recipient(&self, account: &AccountId) -> Result<Option<Recipient>, StoreError>;
    /// Whether the number opted out of the practice's texts (STOP).
    async fn sms_opted_out(&self, org: &OrgId, phone: &PhoneNumber) -> Result<bool, StoreError>;
}
