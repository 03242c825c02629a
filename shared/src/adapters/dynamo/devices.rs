//! [`DeviceStore`] on the single table: `ACCT#a` / `DEVICE#dev` (the device, with its SNS
//! endpoint) and `PUSHTOKEN#platform#sha256` / `#PUSHTOKEN` (which device a token is).

use super::{from_item, keys, s, Dynamo, Expr, StoreError, Tx, TxError};
use crate::domain::ids::{AccountId, DeviceId};
use crate::notifications::model::{Device, Platform};
use crate::ports::notifications::{DeviceStore, SaveDeviceError};
use async_trait::async_trait;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Serialize, Deserialize)]
struct DeviceItem {
    pk: String,
    sk: String,
    id: DeviceId,
    account_id: AccountId,
    platform: Platform,
    token_hash: String,
    endpoint_arn: String,
    created_at: i64,
}

/// The token's owner record: the device as a whole, so a lookup by token is one GetItem.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct TokenItem {
    pk: String,
    sk: String,
    device_id: DeviceId,
    account_id: AccountId,
    platform: Platform,
    token_hash: String,
    endpoint_arn: String,
    created_at: i64,
}

impl DeviceItem {
    fn from_device(d: &Device) -> Self {
        Self {
            pk: keys::account_pk(&d.account),
            sk: keys::device_sk(&d.id),
            id: d.id,
            account_id: d.account,
            platform: d.platform,
            token_hash: d.token_hash.clone(),
            endpoint_arn: d.endpoint.clone(),
            created_at: d.created_at,
        }
    }
    fn device(self) -> Device {
        Device {
            id: self.id,
            account: self.account_id,
            platform: self.platform,
            token_hash: self.token_hash,
            endpoint: self.endpoint_arn,
            created_at: self.created_at,
        }
    }
}

impl TokenItem {
    fn from_device(d: &Device) -> Self {
        Self {
            pk: keys::push_token_pk(d.platform.as_str(), &d.token_hash),
            sk: keys::PUSH_TOKEN_SK.into(),
            device_id: d.id,
            account_id: d.account,
            platform: d.platform,
            token_hash: d.token_hash.clone(),
            endpoint_arn: d.endpoint.clone(),
            created_at: d.created_at,
        }
    }
    fn device(self) -> Device {
        Device {
            id: self.device_id,
            account: self.account_id,
            platform: self.platform,
            token_hash: self.token_hash,
            endpoint: self.endpoint_arn,
            created_at: self.created_at,
        }
    }
}

fn token_key(platform: Platform, token_hash: &str) -> super::Item {
    super::key(
        keys::push_token_pk(platform.as_str(), token_hash),
        keys::PUSH_TOKEN_SK,
    )
}

fn device_key(account: &AccountId, id: &DeviceId) -> super::Item {
    super::key(keys::account_pk(account), keys::device_sk(id))
}

/// `device_id = :dev` on a token record.
fn owned_by(device: &DeviceId) -> Expr {
    let mut e = Expr::new("#dev = :dev");
    e.name("#dev", "device_id")
        .value(":dev", s(device.to_string()));
    e
}

#[async_trait]
impl DeviceStore for Dynamo {
    async fn device_by_token(
        &self,
        platform: Platform,
        token_hash: &str,
    ) -> Result<Option<Device>, StoreError> {
        let out = self
            .client()
            .get_item()
            .table_name(self.table())
            .set_key(Some(token_key(platform, token_hash)))
            .consistent_read(true)
            .send()
            .await?;
        out.item
            .map(|i| from_item::<TokenItem>(i).map(TokenItem::device))
            .transpose()
    }

    async fn save_device(
        &self,
        device: &Device,
        replacing: Option<&Device>,
    ) -> Result<(), SaveDeviceError> {
        let mut tx = Tx::new();
        match replacing {
            Some(old) => {
                tx.put_if("token", &TokenItem::from_device(device), owned_by(&old.id))?
                    .delete("old_device", device_key(&old.account, &old.id), None)?;
            }
            None => {
                tx.put_new("token", &TokenItem::from_device(device))?;
            }
        }
        tx.put_new("device", &DeviceItem::from_device(device))?;
        match self.commit(tx).await {
            Ok(()) => Ok(()),
            Err(TxError::Refused("token")) => Err(SaveDeviceError::Raced),
            Err(TxError::Refused(_)) => Err(SaveDeviceError::Store(StoreError::ConditionFailed)),
            Err(TxError::Store(e)) => Err(e.into()),
        }
    }

    async fn device(
        &self,
        account: &AccountId,
        id: &DeviceId,
    ) -> Result<Option<Device>, StoreError> {
        let out = self
            .client()
            .get_item()
            .table_name(self.table())
            .set_key(Some(device_key(account, id)))
            .consistent_read(true)
            .send()
            .await?;
        out.item
            .map(|i| from_item::<DeviceItem>(i).map(DeviceItem::device))
            .transpose()
    }

    async fn remove_device(&self, device: &Device) -> Result<(), StoreError> {
        let mut tx = Tx::new();
        tx.delete("device", device_key(&device.account, &device.id), None)?;
        // The token record goes only while it still names this device (it may have moved
        // to another account's registration since).
        let mut gone_or_mine = owned_by(&device.id);
        gone_or_mine.name("#pk", "pk");
        gone_or_mine.text = format!("attribute_not_exists(#pk) OR ({})", gone_or_mine.text);
        tx.delete(
            "token",
            token_key(device.platform, &device.token_hash),
            Some(gone_or_mine),
        )?;
        match self.commit(tx).await {
            Ok(()) => Ok(()),
            Err(TxError::Refused(_)) => {
                // The token belongs to another device now: only this device goes.
                let mut tx = Tx::new();
                tx.delete("device", device_key(&device.account, &device.id), None)?;
                self.commit(tx).await.map_err(|e| match e {
                    TxError::Store(e) => e,
                    TxError::Refused(_) => StoreError::ConditionFailed,
                })
            }
            Err(TxError::Store(e)) => Err(e),
        }
    }

    async fn devices_of(&self, account: &AccountId) -> Result<Vec<Device>, StoreError> {
        let query = self
            .client()
            .query()
            .table_name(self.table())
            .key_condition_expression("#pk = :pk AND begins_with(#sk, :prefix)")
            .expression_attribute_names("#pk", "pk")
            .expression_attribute_names("#sk", "sk")
            .expression_attribute_values(":pk", s(keys::account_pk(account)))
            .expression_attribute_values(":prefix", s(keys::DEVICE_PREFIX));
        let items: Vec<DeviceItem> = super::query_all(query).await?;
        Ok(items.into_iter().map(DeviceItem::device).collect())
    }
}
