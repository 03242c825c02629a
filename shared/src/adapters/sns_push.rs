//! [`PushGateway`] through SNS mobile push: one platform application per push service
//! (template resources; ARNs in `PUSH_IOS_APPLICATION_ARN` / `PUSH_ANDROID_APPLICATION_ARN`),
//! one platform endpoint per device token, whose CustomUserData is the account id and
//! nothing else.

use crate::domain::ids::AccountId;
use crate::notifications::model::{Platform, PushToken};
use crate::ports::notifications::{PushError, PushGateway};
use async_trait::async_trait;
use aws_sdk_sns::error::ProvideErrorMetadata;

pub struct SnsPush {
    client: aws_sdk_sns::Client,
    ios_application: Option<String>,
    android_application: Option<String>,
}

impl SnsPush {
    pub fn new(
        client: aws_sdk_sns::Client,
        ios_application: Option<String>,
        android_application: Option<String>,
    ) -> Self {
        Self {
            client,
            ios_application,
            android_application,
        }
    }

    fn application(&self, platform: Platform) -> Result<&str, PushError> {
        match platform {
            Platform::Ios => self.ios_application.as_deref(),
            Platform::Android => self.android_application.as_deref(),
        }
        .ok_or(PushError::NotConfigured)
    }
}

/// SNS's error codes, in the port's terms (never the message: it may echo the request).
fn classify<E: ProvideErrorMetadata, R>(err: &aws_sdk_sns::error::SdkError<E, R>) -> PushError {
    match err.as_service_error().and_then(|e| e.code()) {
        Some("EndpointDisabled") => PushError::EndpointDisabled,
        Some("NotFound") => PushError::EndpointDisabled,
        _ => PushError::Unavailable,
    }
}

#[async_trait]
impl PushGateway for SnsPush {
    async fn register(
        &self,
        platform: Platform,
        token: &PushToken,
        account: &AccountId,
    ) -> Result<String, PushError> {
        let out = self
            .client
            .create_platform_endpoint()
            .platform_application_arn(self.application(platform)?)
            .token(token.as_str())
            .custom_user_data(account.to_string())
            .send()
            .await
            .map_err(|e| {
                tracing::warn!(code = ?e.as_service_error().and_then(|s| s.code()), "create endpoint failed");
                classify(&e)
            })?;
        out.endpoint_arn.ok_or(PushError::Unavailable)
    }

    async fn reassign(&self, endpoint: &str, account: &AccountId) -> Result<(), PushError> {
        self.client
            .set_endpoint_attributes()
            .endpoint_arn(endpoint)
            .attributes("CustomUserData", account.to_string())
            .attributes("Enabled", "true")
            .send()
            .await
            .map(|_| ())
            .map_err(|e| classify(&e))
    }

    async fn publish(&self, endpoint: &str, payload: &str) -> Result<(), PushError> {
        self.client
            .publish()
            .target_arn(endpoint)
            .message_structure("json")
            .message(payload)
            .send()
            .await
            .map(|_| ())
            .map_err(|e| classify(&e))
    }

    async fn unregister(&self, endpoint: &str) -> Result<(), PushError> {
        self.client
            .delete_endpoint()
            .endpoint_arn(endpoint)
            .send()
            .await
            .map(|_| ())
            .map_err(|e| classify(&e))
    }
}

/// For functions deployed without push (and before the platform applications exist).
pub struct NoPush;

#[async_trait]
impl PushGateway for NoPush {
    async fn register(
        &self,
        _: Platform,
        _: &PushToken,
        _: &AccountId,
    ) -> Result<String, PushError> {
        Err(PushError::NotConfigured)
    }
    async fn reassign(&self, _: &str, _: &AccountId) -> Result<(), PushError> {
        Err(PushError::NotConfigured)
    }
    async fn publish(&self, _: &str, _: &str) -> Result<(), PushError> {
        Err(PushError::NotConfigured)
    }
    async fn unregister(&self, _: &str) -> Result<(), PushError> {
        Err(PushError::NotConfigured)
    }
}
