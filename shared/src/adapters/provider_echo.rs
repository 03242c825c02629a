//! Local stand-ins only: remembering what a provider would echo back.
//!
//! In AWS, End User Messaging returns the `Context` of a SendTextMessage in every delivery
//! event, and SES returns a message's tags in its Delivery / Bounce / Complaint events.
//! moto emits no such events, so the dev server's `/_local/sms/status` and
//! `/_local/email/status` stand-ins build them, and need what AWS would have remembered:
//! this decorator records it, per provider message id, in the table (`ECHO#id`), through a
//! client of its own so the function's round trips stay uncounted by it. The functions'
//! code path is unchanged: they only see the [`SmsSender`] / [`EmailSender`] ports.

use crate::adapters::dynamo::{keys, to_item, StoreError};
use crate::ports::standard::{EmailSender, OutboundEmail, OutboundSms, SendFailure, SmsSender};
use async_trait::async_trait;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::sync::Arc;

/// What the provider would echo for one message id.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Echo {
    pub pk: String,
    pub sk: String,
    pub provider_message_id: String,
    /// `sms` or `email`.
    pub channel: String,
    /// The practice's number or address the message was sent from.
    pub from: String,
    pub to: String,
    /// Context (SMS) or tags (email): our ids.
    pub ids: BTreeMap<String, String>,
    pub ttl: i64,
}

pub struct ProviderEcho<S: ?Sized> {
    inner: Arc<S>,
    db: aws_sdk_dynamodb::Client,
    table: String,
}

impl<S: ?Sized> ProviderEcho<S> {
    pub fn new(inner: Arc<S>, db: aws_sdk_dynamodb::Client, table: String) -> Self {
        Self { inner, db, table }
    }

    async fn remember(&self, echo: Echo) -> Result<(), SendFailure> {
        let item = to_item(&echo).map_err(|_| SendFailure::Unavailable)?;
        self.db
            .put_item()
            .table_name(&self.table)
            .set_item(Some(item))
            .send()
            .await
            .map_err(|_| SendFailure::Unavailable)?;
        Ok(())
    }
}

fn echo(
    provider_id: &str,
    channel: &str,
    from: String,
    to: String,
    ids: &[(&'static str, String)],
) -> Echo {
    Echo {
        pk: keys::provider_echo_pk(provider_id),
        sk: keys::PROVIDER_ECHO_SK.into(),
        provider_message_id: provider_id.into(),
        channel: channel.into(),
        from,
        to,
        ids: ids
            .iter()
            .map(|(k, v)| (k.to_string(), v.clone()))
            .collect(),
        ttl: crate::ports::SystemClock.now_s() + 7 * 24 * 3600,
    }
}

#[async_trait]
impl<S: SmsSender + ?Sized> SmsSender for ProviderEcho<S> {
    async fn send_sms(&self, sms: &OutboundSms<'_>) -> Result<String, SendFailure> {
        let id = self.inner.send_sms(sms).await?;
        self.remember(echo(&id, "sms", sms.from.key(), sms.to.key(), sms.context))
            .await?;
        Ok(id)
    }
}

#[async_trait]
impl<S: EmailSender + ?Sized> EmailSender for ProviderEcho<S> {
    async fn send_email(&self, email: &OutboundEmail<'_>) -> Result<String, SendFailure> {
        let id = self.inner.send_email(email).await?;
        self.remember(echo(
            &id,
            "email",
            email.from.key(),
            email.to.key(),
            email.tags,
        ))
        .await?;
        Ok(id)
    }
}

/// Reads what was remembered for a provider message id (the stand-in routes).
pub async fn recall(
    db: &aws_sdk_dynamodb::Client,
    table: &str,
    provider_id: &str,
) -> Result<Option<Echo>, StoreError> {
    let out = db
        .get_item()
        .table_name(table)
        .set_key(Some(crate::adapters::dynamo::key(
            keys::provider_echo_pk(provider_id),
            keys::PROVIDER_ECHO_SK,
        )))
        .consistent_read(true)
        .send()
        .await?;
    out.item.map(crate::adapters::dynamo::from_item).transpose()
}
