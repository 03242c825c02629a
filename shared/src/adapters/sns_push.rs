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

/// The endpoint SNS names when it refuses a second endpoint for a token ("Invalid parameter:
/// Token Reason: Endpoint arn:aws:sns:…:endpoint/… already exists with the same Token, but
/// different attributes."). Only an endpoint ARN is taken from the message, nothing else.
fn existing_endpoint(message: &str) -> Option<&str> {
    let start = message.find("Endpoint arn:")? + "Endpoint ".len();
    let rest = &message[start..];
    let arn = &rest[..rest.find(" already exists with the same Token")?];
    let well_formed = arn.starts_with("arn:aws")
        && arn.contains(":endpoint/")
        && !arn.contains(char::is_whitespace);
    well_formed.then_some(arn)
}

#[async_trait]
impl PushGateway for SnsPush {
    async fn register(
        &self,
        platform: Platform,
        token: &PushToken,
        account: &AccountId,
    ) -> Result<String, PushError> {
        let created = self
            .client
            .create_platform_endpoint()
            .platform_application_arn(self.application(platform)?)
            .token(token.as_str())
            .custom_user_data(account.to_string())
            .send()
            .await;
        match created {
            Ok(out) => out.endpoint_arn.ok_or(PushError::Unavailable),
            Err(e) => {
                let service = e.as_service_error();
                let code = service.and_then(|s| s.code());
                // The token already has an endpoint our table does not know (its device was
                // removed while SNS kept the endpoint, or the record was lost): SNS refuses a
                // second one with other CustomUserData and names the first, which becomes
                // this account's, as for a phone that changed hands.
                let existing = service
                    .filter(|_| code == Some("InvalidParameter"))
                    .and_then(|s| s.message())
                    .and_then(existing_endpoint);
                if let Some(endpoint) = existing {
                    self.reassign(endpoint, account).await?;
                    return Ok(endpoint.to_string());
                }
                tracing::warn!(code = ?code, "create endpoint failed");
                Err(classify(&e))
            }
        }
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

#[cfg(test)]
mod tests {
    use super::existing_endpoint;

    #[test]
    fn the_existing_endpoint_is_read_from_the_refusal_and_nothing_else() {
        let arn = "arn:aws:sns:us-east-1:123456789012:endpoint/GCM/canopy-android/5a1e0a57-0000-4000-8000-000000000000";
        let message = format!(
            "Invalid parameter: Token Reason: Endpoint {arn} already exists with the same Token, but different attributes."
        );
        assert_eq!(existing_endpoint(&message), Some(arn));
        assert_eq!(existing_endpoint("Invalid parameter: Token"), None);
        assert_eq!(
            existing_endpoint("Endpoint arn:aws:sns:x:topic/t already exists with the same Token"),
            None
        );
        assert_eq!(
            existing_endpoint(
                "Endpoint arn:aws:sns:x:endpoint/a b already exists with the same Token"
            ),
            None
        );
    }
}
