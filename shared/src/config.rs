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
}

/// A required setting is missing or unusable.
#[derive(Debug, thiserror::Error)]
pub enum SettingsError {
    #[error("environment variable {0} is not set")]
    Missing(&'static str),
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
        })
    }
}
