//! Registering and removing push devices (`POST /v1/devices`, `DELETE /v1/devices/{id}`).
//!
//! A token is one device, whoever registers it: the token's owner record
//! (`PUSHTOKEN#platform#sha256` / `#PUSHTOKEN`) finds it. Registering:
//! - the same token by the same account: 1 GetItem, the same device answered;
//! - a new token: 1 GetItem, SNS CreatePlatformEndpoint (CustomUserData = the account id
//!   only), 1 TransactWriteItems (owner record + device, both new);
//! - a token another account registered (a phone changed hands, or another person signed
//!   in on it): 1 GetItem, SNS SetEndpointAttributes (new owner, enabled), 1
//!   TransactWriteItems that moves it (old device deleted, owner record conditioned on
//!   the old owner), so pushes for the old account stop reaching that phone.

use super::model::{Device, Platform, PushToken};
use crate::adapters::dynamo::StoreError;
use crate::domain::ids::{AccountId, DeviceId};
use crate::ports::notifications::{DeviceStore, PushError, PushGateway, SaveDeviceError};

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RegisterError {
    #[error("push is not available for this platform")]
    NotConfigured,
    #[error("the push service is unavailable")]
    PushUnavailable,
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl From<PushError> for RegisterError {
    fn from(e: PushError) -> Self {
        match e {
            PushError::NotConfigured => Self::NotConfigured,
            PushError::EndpointDisabled | PushError::Unavailable => Self::PushUnavailable,
        }
    }
}

/// Registers `token` for `account`; returns its device (the existing one for a known token).
pub async fn register(
    store: &impl DeviceStore,
    push: &dyn PushGateway,
    account: &AccountId,
    platform: Platform,
    token: &PushToken,
    now_ms: i64,
) -> Result<Device, RegisterError> {
    let hash = token.hash();
    for _ in 0..3 {
        let existing = store.device_by_token(platform, &hash).await?;
        let (endpoint, replacing) = match &existing {
            Some(d) if &d.account == account => return Ok(d.clone()),
            Some(d) => {
                push.reassign(&d.endpoint, account).await?;
                (d.endpoint.clone(), Some(d))
            }
            None => (push.register(platform, token, account).await?, None),
        };
        let device = Device {
            id: DeviceId::generate(),
            account: *account,
            platform,
            token_hash: hash.clone(),
            endpoint,
            created_at: now_ms,
        };
        match store.save_device(&device, replacing).await {
            Ok(()) => return Ok(device),
            Err(SaveDeviceError::Raced) => continue,
            Err(SaveDeviceError::Store(e)) => return Err(e.into()),
        }
    }
    Err(RegisterError::Store(StoreError::Conflict))
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RemoveError {
    #[error("no such device")]
    NotFound,
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Removes one of the caller's devices: 1 GetItem, 1 TransactWriteItems, and SNS
/// DeleteEndpoint (best effort: an endpoint left behind reaches no account).
pub async fn remove(
    store: &impl DeviceStore,
    push: &dyn PushGateway,
    account: &AccountId,
    id: &DeviceId,
) -> Result<(), RemoveError> {
    let device = store
        .device(account, id)
        .await?
        .ok_or(RemoveError::NotFound)?;
    store.remove_device(&device).await?;
    if let Err(e) = push.unregister(&device.endpoint).await {
        tracing::warn!(error = %e, "push endpoint left behind after a device removal");
    }
    Ok(())
}
