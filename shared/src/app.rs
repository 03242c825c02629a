//! Everything a handler needs, built once per cold start and shared by reference.

use crate::adapters::call_counter::CallCounter;
use crate::adapters::{ses::SesEmail, sns::SnsSms};
use crate::config::{Settings, SettingsError};
use crate::ports::{Clock, Email, Sms, SystemClock};
use aws_config::retry::RetryConfig;
use aws_config::timeout::TimeoutConfig;
use aws_config::{BehaviorVersion, SdkConfig};
use std::sync::Arc;
use std::time::Duration;

pub struct App {
    pub db: aws_sdk_dynamodb::Client,
    pub settings: Settings,
    pub sms: Arc<dyn Sms>,
    pub email: Arc<dyn Email>,
    pub clock: Arc<dyn Clock>,
    /// Every DynamoDB operation this app's client made (see [`CallCounter`]).
    pub db_calls: CallCounter,
}

impl App {
    /// Loads the AWS configuration (region, credentials, and the standard
    /// `AWS_ENDPOINT_URL_*` overrides that point at the local stack) and the settings.
    pub async fn from_env() -> Result<Self, SettingsError> {
        let settings = Settings::from_env()?;
        let sdk = load_sdk_config().await;
        Ok(Self::from_parts(&sdk, settings))
    }

    /// Builds the clients from an already loaded configuration. Tests use this to point one
    /// app at a dead endpoint or give it a manual clock.
    pub fn from_parts(sdk: &SdkConfig, settings: Settings) -> Self {
        let db_calls = CallCounter::default();
        let db_config = aws_sdk_dynamodb::config::Builder::from(sdk)
            .interceptor(db_calls.clone())
            .build();
        let db = aws_sdk_dynamodb::Client::from_conf(db_config);
        let sms = Arc::new(SnsSms::new(aws_sdk_sns::Client::new(sdk)));
        let email = Arc::new(SesEmail::new(
            aws_sdk_ses::Client::new(sdk),
            settings.email_sender.clone(),
        ));
        Self {
            db,
            settings,
            sms,
            email,
            clock: Arc::new(SystemClock),
            db_calls,
        }
    }

    pub fn table(&self) -> &str {
        &self.settings.table_name
    }

    pub fn now_ms(&self) -> i64 {
        self.clock.now_ms()
    }
}

/// SDK configuration with explicit timeouts and bounded retries: a Lambda must answer 503
/// well before its own timeout rather than hang on a slow dependency.
pub async fn load_sdk_config() -> SdkConfig {
    aws_config::defaults(BehaviorVersion::latest())
        .timeout_config(
            TimeoutConfig::builder()
                .connect_timeout(Duration::from_millis(1_000))
                .operation_attempt_timeout(Duration::from_millis(2_000))
                .operation_timeout(Duration::from_millis(5_000))
                .build(),
        )
        .retry_config(RetryConfig::standard().with_max_attempts(3))
        .load()
        .await
}
