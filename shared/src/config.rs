//! Settings read once at cold start from the environment that `template.yaml` (or the local
//! stack's `.local/stack.env`) provides.

use std::env;

#[derive(Clone)]
pub struct Settings {
    /// The single DynamoDB table.
    pub table_name: String,
    /// Secret key for one-time-code HMACs; a deploy-time secret, never in code or template.
    /// Only the functions that make or check codes (auth, signup) are given it.
    pub otp_pepper: Option<Vec<u8>>,
    /// Base URL of the public link domain, e.g. `https://canopy.link` (no trailing slash).
    pub link_base_url: String,
    pub ios_app_store_url: String,
    pub android_play_store_url: String,
    /// Verified SES sender address.
    pub email_sender: String,
    /// How standard (SMS / email) messages leave: see [`StandardChannels`].
    pub standard_channels: StandardChannels,
    /// End User Messaging configuration set whose events go to the delivery-status topic.
    pub sms_configuration_set: Option<String>,
    /// SES configuration set whose events go to the delivery-status topic.
    pub email_configuration_set: Option<String>,
    /// SNS platform applications of the push services (issue 11); unset: no push there.
    pub push_ios_application: Option<String>,
    pub push_android_application: Option<String>,
    /// `REPLY_EMAIL_DOMAIN`: the domain of practices' reply addresses (default
    /// `reply.canopy.local`, the local stack's moto-verified domain).
    pub reply_email_domain: String,
}

/// `STANDARD_CHANNELS`: `aws` (End User Messaging SMS + SES, the default) or
/// `local-stand-in` (SNS Publish to moto for SMS, SES to moto, and the provider echo the
/// dev server's status stand-ins read; never set in AWS).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StandardChannels {
    Aws,
    LocalStandIn,
}

fn optional(name: &str) -> Option<String> {
    env::var(name).ok().filter(|v| !v.trim().is_empty())
}

/// A required setting is missing or unusable.
#[derive(Debug, thiserror::Error)]
pub enum SettingsError {
    #[error("environment variable {0} is not set")]
    Missing(&'static str),
    #[error("environment variable {0} has an unknown value")]
    Invalid(&'static str),
    #[error("environment variable {0} is too short to be a secret (need at least 16 bytes)")]
    WeakSecret(&'static str),
}

fn required(name: &'static str) -> Result<String, SettingsError> {
    env::var(name)
        .ok()
        .filter(|v| !v.trim().is_empty())
        .ok_or(SettingsError::Missing(name))
}

impl Settings {
    pub fn from_env() -> Result<Self, SettingsError> {
        let pepper = env::var("OTP_PEPPER").ok().filter(|p| !p.trim().is_empty());
        if pepper.as_ref().is_some_and(|p| p.len() < 16) {
            return Err(SettingsError::WeakSecret("OTP_PEPPER"));
        }
        Ok(Self {
            table_name: required("TABLE_NAME")?,
            otp_pepper: pepper.map(String::into_bytes),
            link_base_url: required("LINK_BASE_URL")?.trim_end_matches('/').to_string(),
            ios_app_store_url: required("IOS_APP_STORE_URL")?,
            android_play_store_url: required("ANDROID_PLAY_STORE_URL")?,
            email_sender: required("SES_SENDER")?,
            standard_channels: match optional("STANDARD_CHANNELS").as_deref() {
                None | Some("aws") => StandardChannels::Aws,
                Some("local-stand-in") => StandardChannels::LocalStandIn,
                Some(_) => return Err(SettingsError::Invalid("STANDARD_CHANNELS")),
            },
            sms_configuration_set: optional("SMS_CONFIGURATION_SET"),
            email_configuration_set: optional("EMAIL_CONFIGURATION_SET"),
            push_ios_application: optional("PUSH_IOS_APPLICATION_ARN"),
            push_android_application: optional("PUSH_ANDROID_APPLICATION_ARN"),
            reply_email_domain: optional("REPLY_EMAIL_DOMAIN")
                .unwrap_or_else(|| "reply.canopy.local".to_string()),
        })
    }
}
