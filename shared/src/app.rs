//! Everything a handler needs, built once per cold start and shared by reference.

use crate::access::pepper::Pepper;
use crate::adapters::call_counter::CallCounter;
use crate::adapters::dynamo::Dynamo;
use crate::adapters::sns_push::{NoPush, SnsPush};
use crate::adapters::{ses::SesEmail, sns::SnsSms};
use crate::config::{Settings, SettingsError};
use crate::ports::notifications::PushGateway;
use crate::ports::standard::{EmailSender, MailSource, SmsSender};
use crate::ports::{Clock, Email, NoMessaging, Sms, SystemClock};
use aws_config::retry::RetryConfig;
use aws_config::timeout::TimeoutConfig;
use aws_config::{BehaviorVersion, SdkConfig};
use std::sync::Arc;
use std::time::Duration;

pub use crate::adapters::https::{https_client, https_connector};

pub struct App {
    /// The single table behind the store ports (see [`crate::ports`]). The SDK client is
    /// inside it, reachable only from `adapters/`; tests and the bench swap the whole store
    /// (a dead endpoint, a recording client) with [`Dynamo::new`].
    pub store: Dynamo,
    pub settings: Settings,
    pub sms: Arc<dyn Sms>,
    pub email: Arc<dyn Email>,
    pub clock: Arc<dyn Clock>,
    /// Every DynamoDB operation this app's client made (see [`CallCounter`]).
    pub db_calls: CallCounter,
    /// Standard (SMS / email) messaging: sending from practices' own numbers and
    /// addresses, and inbound mail (see [`crate::standard`]).
    pub channels: Channels,
    /// Mobile push (SNS platform endpoints), see [`crate::notifications`].
    pub push: Arc<dyn PushGateway>,
    /// The one-time-code pepper, its secret's read started at init ([`Pepper`]).
    pub pepper: Pepper,
}

/// The providers of standard messaging, chosen by [`crate::config::StandardChannels`].
#[derive(Clone)]
pub struct Channels {
    pub sms: Arc<dyn SmsSender>,
    pub email: Arc<dyn EmailSender>,
    pub mail: Arc<dyn MailSource>,
}

impl Channels {
    /// For functions that send nothing: every send is refused (and logged).
    pub fn none() -> Self {
        Self {
            sms: Arc::new(NoMessaging),
            email: Arc::new(NoMessaging),
            mail: Arc::new(NoMessaging),
        }
    }
}

impl App {
    /// Loads the AWS configuration (region, credentials, and the standard
    /// `AWS_ENDPOINT_URL_*` overrides that point at the local stack) and the settings.
    ///
    /// Every sender, but no inbound mail source (`channels.mail` refuses): only the
    /// inbound-email function reads mail, and the S3 client behind it (with the checksum
    /// tables it links) is ~1 MB of every binary that builds one. See
    /// [`App::from_env_reading_mail`].
    pub async fn from_env() -> Result<Self, SettingsError> {
        let sdk = load_sdk_config().await;
        let settings = Settings::from_env()?;
        Ok(Self::with_senders(&sdk, settings))
    }

    /// Like [`App::from_env`], with the inbound mail source (S3): for the inbound-email
    /// function, and the dev server, which plays every function.
    pub async fn from_env_reading_mail() -> Result<Self, SettingsError> {
        let sdk = load_sdk_config().await;
        let settings = Settings::from_env()?;
        Ok(Self::from_parts(&sdk, settings))
    }

    /// Like [`App::from_env`], for functions that never send SMS or email: no SNS or SES
    /// client is built, so none is linked into their binaries.
    pub async fn from_env_without_messaging() -> Result<Self, SettingsError> {
        let sdk = load_sdk_config().await;
        let settings = Settings::from_env()?;
        Ok(Self::assemble(
            &sdk,
            settings,
            Arc::new(NoMessaging),
            Arc::new(NoMessaging),
        ))
    }

    /// Builds the clients from an already loaded configuration, inbound mail source
    /// included. Tests use this to point one app at a dead endpoint or give it a manual clock.
    pub fn from_parts(sdk: &SdkConfig, settings: Settings) -> Self {
        let mut app = Self::with_senders(sdk, settings);
        app.channels.mail = crate::standard::channels::inbound_mail(sdk);
        app
    }

    /// Every sender (SNS, SES, End User Messaging, push), no inbound mail source.
    fn with_senders(sdk: &SdkConfig, settings: Settings) -> Self {
        let mut sns_config = aws_sdk_sns::config::Builder::from(sdk);
        if let Some(url) = endpoint_override("SNS") {
            sns_config = sns_config.endpoint_url(url);
        }
        let mut ses_config = aws_sdk_ses::config::Builder::from(sdk);
        if let Some(url) = endpoint_override("SES") {
            ses_config = ses_config.endpoint_url(url);
        }
        let (sns_config, ses_config) = (sns_config.build(), ses_config.build());
        let sns = aws_sdk_sns::Client::from_conf(sns_config);
        let ses = aws_sdk_ses::Client::from_conf(ses_config);
        let sms = Arc::new(SnsSms::new(sns.clone()));
        let push = Arc::new(SnsPush::new(
            sns.clone(),
            settings.push_ios_application.clone(),
            settings.push_android_application.clone(),
        ));
        let email = Arc::new(SesEmail::new(ses.clone(), settings.email_sender.clone()));
        let channels = crate::standard::channels::build(sdk, &settings, sns, ses);
        let mut app = Self::assemble(sdk, settings, sms, email);
        app.channels = channels;
        app.push = push;
        app
    }

    fn assemble(
        sdk: &SdkConfig,
        settings: Settings,
        sms: Arc<dyn Sms>,
        email: Arc<dyn Email>,
    ) -> Self {
        let db_calls = CallCounter::default();
        let db = aws_sdk_dynamodb::Client::from_conf(
            dynamodb_config(sdk).interceptor(db_calls.clone()).build(),
        );
        Self {
            store: Dynamo::new(db, settings.table_name.clone()),
            sms,
            email,
            clock: Arc::new(SystemClock),
            db_calls,
            channels: Channels::none(),
            push: Arc::new(NoPush),
            pepper: pepper_for(sdk, &settings),
            settings,
        }
    }

    pub fn table(&self) -> &str {
        &self.settings.table_name
    }

    pub fn now_ms(&self) -> i64 {
        self.clock.now_ms()
    }
}

/// The pepper the settings name: the secret `OTP_PEPPER_SECRET_ID` (read from Secrets
/// Manager, started now: only auth and signup are given one), else `OTP_PEPPER`, else none.
pub fn pepper_for(sdk: &SdkConfig, settings: &Settings) -> Pepper {
    match &settings.otp_pepper_secret_id {
        Some(id) => {
            let source = crate::adapters::secrets_manager::SecretsManager::from_sdk(sdk);
            Pepper::prefetch(Arc::new(source), id.clone())
        }
        None => Pepper::fixed(settings.otp_pepper.clone()),
    }
}

/// SDK configuration with explicit timeouts and bounded retries: a Lambda must answer 503
/// well before its own timeout rather than hang on a slow dependency.
///
/// Built directly from the environment instead of `aws_config::defaults(..).load()`: the
/// default loader walks the profile files and provider chains at every cold start (≈5 ms
/// measured by the bench), while a Lambda always has `AWS_REGION` and its role's
/// credentials in `AWS_ACCESS_KEY_ID` / `AWS_SECRET_ACCESS_KEY` / `AWS_SESSION_TOKEN`, which
/// is where the default chain finds them first anyway. The local stack sets the same
/// variables, and the standard `AWS_ENDPOINT_URL_<SERVICE>` overrides are honoured by
/// [`App::from_parts`].
pub async fn load_sdk_config() -> SdkConfig {
    let region = std::env::var("AWS_REGION")
        .or_else(|_| std::env::var("AWS_DEFAULT_REGION"))
        .unwrap_or_else(|_| "us-east-1".to_string());
    let mut builder = SdkConfig::builder()
        .behavior_version(BehaviorVersion::latest())
        .region(aws_config::Region::new(region))
        .credentials_provider(
            aws_credential_types::provider::SharedCredentialsProvider::new(
                aws_config::environment::EnvironmentVariableCredentialsProvider::new(),
            ),
        )
        .sleep_impl(aws_smithy_async::rt::sleep::SharedAsyncSleep::new(
            aws_smithy_async::rt::sleep::TokioSleep::new(),
        ))
        .time_source(aws_smithy_async::time::SharedTimeSource::new(
            aws_smithy_async::time::SystemTimeSource::new(),
        ))
        .timeout_config(
            TimeoutConfig::builder()
                .connect_timeout(Duration::from_millis(1_000))
                .operation_attempt_timeout(timeout_from_env(ATTEMPT_TIMEOUT_VAR, 2_000))
                .operation_timeout(timeout_from_env(OPERATION_TIMEOUT_VAR, 5_000))
                .build(),
        )
        .retry_config(RetryConfig::standard().with_max_attempts(3))
        .http_client(https_client());
    if let Ok(url) = std::env::var("AWS_ENDPOINT_URL") {
        builder = builder.endpoint_url(url);
    }
    builder.build()
}

/// Overrides of the SDK's per-attempt and per-operation timeouts, in milliseconds.
///
/// The defaults (2 s an attempt, 5 s in all, three attempts) suit AWS, where a DynamoDB call
/// takes milliseconds: a stuck connection is abandoned and retried long before the Lambda's
/// own deadline. DynamoDB Local is one SQLite thread in a JVM; on a busy two-core machine a
/// burst (50 concurrent posts) queues behind it for seconds, and a 2 s attempt timeout then
/// turns the queue into a collapse: each abandoned attempt stays queued while its retry joins
/// it, so the database's work multiplies and no request finishes in time. Measured: one
/// test's 50 posts made 283 timed-out attempts and 1 success. The local stack
/// (`scripts/stack.sh`) therefore sets longer ones; deployments keep the defaults.
pub const ATTEMPT_TIMEOUT_VAR: &str = "CANOPY_SDK_ATTEMPT_TIMEOUT_MS";
pub const OPERATION_TIMEOUT_VAR: &str = "CANOPY_SDK_OPERATION_TIMEOUT_MS";

/// `var` as a positive number of milliseconds, else `default_ms` (a bad value is ignored,
/// never fatal: the defaults are safe everywhere).
fn timeout_from_env(var: &str, default_ms: u64) -> Duration {
    timeout_or_default(std::env::var(var).ok().as_deref(), default_ms)
}

fn timeout_or_default(value: Option<&str>, default_ms: u64) -> Duration {
    let ms = value
        .and_then(|v| v.trim().parse::<u64>().ok())
        .filter(|ms| *ms > 0)
        .unwrap_or(default_ms);
    Duration::from_millis(ms)
}

/// A DynamoDB client configuration from the SDK configuration, with the standard
/// `AWS_ENDPOINT_URL_DYNAMODB` override applied (the local stack's DynamoDB Local).
pub fn dynamodb_config(sdk: &SdkConfig) -> aws_sdk_dynamodb::config::Builder {
    let builder = aws_sdk_dynamodb::config::Builder::from(sdk);
    match endpoint_override("DYNAMODB") {
        Some(url) => builder.endpoint_url(url),
        None => builder,
    }
}

/// The standard service-specific endpoint override (`AWS_ENDPOINT_URL_DYNAMODB`, …).
pub fn endpoint_override(service: &str) -> Option<String> {
    std::env::var(format!("AWS_ENDPOINT_URL_{service}"))
        .ok()
        .filter(|u| !u.is_empty())
}

#[cfg(test)]
mod tests {
    use super::timeout_or_default;
    use std::time::Duration;

    #[test]
    fn a_timeout_override_is_positive_milliseconds_or_the_default() {
        assert_eq!(timeout_or_default(None, 2_000), Duration::from_secs(2));
        assert_eq!(
            timeout_or_default(Some(" 15000 "), 2_000),
            Duration::from_secs(15)
        );
        for bad in ["", "0", "-5", "2s", "1e3"] {
            assert_eq!(
                timeout_or_default(Some(bad), 2_000),
                Duration::from_secs(2),
                "{bad:?}"
            );
        }
    }
}
