//! What the domain needs from the outside world, as small traits. Handlers receive them
//! through [`crate::app::App`], built once at cold start; tests swap in fakes (a fixed clock,
//! a failing SMS gateway) without any test-only branch in the handlers.

pub mod access;
pub mod attachments;
pub mod contacts;
pub mod conversations;
pub mod invites;
pub mod links;
pub mod notifications;
pub mod practice;
pub mod secrets;
pub mod standard;
pub mod sync;

use crate::domain::contact_info::{EmailAddress, PhoneNumber};
use async_trait::async_trait;
use std::sync::atomic::{AtomicI64, Ordering};

/// The time, in epoch milliseconds.
pub trait Clock: Send + Sync {
    fn now_ms(&self) -> i64;
}

/// The real clock.
pub struct SystemClock;

impl SystemClock {
    /// Epoch seconds (TTL attributes).
    pub fn now_s(&self) -> i64 {
        self.now_ms() / 1000
    }
}

impl Clock for SystemClock {
    fn now_ms(&self) -> i64 {
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap_or_default();
        now.as_millis() as i64
    }
}

/// A clock that only moves when told: tests use it to prove expiry without sleeping.
pub struct ManualClock(AtomicI64);

impl ManualClock {
    pub fn new(start_ms: i64) -> Self {
        Self(AtomicI64::new(start_ms))
    }
    pub fn advance_ms(&self, ms: i64) {
        self.0.fetch_add(ms, Ordering::SeqCst);
    }
}

impl Clock for ManualClock {
    fn now_ms(&self) -> i64 {
        self.0.load(Ordering::SeqCst)
    }
}

/// Why a text or email did not go out.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SendError {
    /// The recipient opted out of SMS (or their address is suppressed): staff must be told.
    #[error("the recipient has opted out")]
    OptedOut,
    /// The gateway refused or could not be reached; the send can be retried later.
    #[error("the message gateway is unavailable")]
    Unavailable,
}

#[async_trait]
pub trait Sms: Send + Sync {
    async fn send_sms(&self, to: &PhoneNumber, text: &str) -> Result<(), SendError>;
}

#[async_trait]
pub trait Email: Send + Sync {
    async fn send_email(
        &self,
        to: &EmailAddress,
        subject: &str,
        body: &str,
    ) -> Result<(), SendError>;
}

/// For functions that never send SMS or email (the authorizer, members, links,
/// conversations, messages): their binaries then link no SNS or SES client at all, which
/// keeps them small. A send through it is a deployment bug: logged, and refused.
pub struct NoMessaging;

#[async_trait]
impl Sms for NoMessaging {
    async fn send_sms(&self, _to: &PhoneNumber, _text: &str) -> Result<(), SendError> {
        tracing::error!("this function is deployed without SMS");
        Err(SendError::Unavailable)
    }
}

#[async_trait]
impl Email for NoMessaging {
    async fn send_email(
        &self,
        _to: &EmailAddress,
        _subject: &str,
        _body: &str,
    ) -> Result<(), SendError> {
        tracing::error!("this function is deployed without email");
        Err(SendError::Unavailable)
    }
}

#[async_trait]
impl standard::SmsSender for NoMessaging {
    async fn send_sms(
        &self,
        _sms: &standard::OutboundSms<'_>,
    ) -> Result<String, standard::SendFailure> {
        tracing::error!("this function is deployed without standard SMS");
        Err(standard::SendFailure::Unavailable)
    }
}

#[async_trait]
impl standard::EmailSender for NoMessaging {
    async fn send_email(
        &self,
        _email: &standard::OutboundEmail<'_>,
    ) -> Result<String, standard::SendFailure> {
        tracing::error!("this function is deployed without standard email");
        Err(standard::SendFailure::Unavailable)
    }
}

#[async_trait]
impl standard::MailSource for NoMessaging {
    async fn fetch(
        &self,
        _bucket: &str,
        _key: &str,
    ) -> Result<Option<Vec<u8>>, standard::SendFailure> {
        tracing::error!("this function is deployed without inbound mail");
        Err(standard::SendFailure::Unavailable)
    }
}
