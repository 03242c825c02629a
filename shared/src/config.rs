//! Settings read once at cold start from the environment that `template.yaml` (or the local
//! stack's `.local/stack.env`) provides.

use crate::access::send_budgets::SendBudgets;
use crate::domain::secrets::MIN_PEPPER_BYTES;
use crate::invites::rules::InviteBudgets;
use std::env;

#[derive(Clone)]
pub struct Settings {
    /// The single DynamoDB table.
    pub table_name: String,
    /// Secret key for one-time-code HMACs; a deploy-time secret, never in code or template.
    /// Only the functions that make or check codes (auth, signup) can read it: in AWS from
    /// Secrets Manager, the read started at cold start (`OTP_PEPPER_SECRET_ID`, see
    /// [`crate::access::pepper`]), never from a Lambda environment variable. `OTP_PEPPER` is
    /// read only where no secret is named (a process outside the stack, such as a unit test).
    pub otp_pepper: Option<Vec<u8>>,
    /// `OTP_PEPPER_SECRET_ID`: the Secrets Manager secret (ARN or name) holding the pepper.
    pub otp_pepper_secret_id: Option<String>,
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
    /// Issue 12: budgets of codes and invites sent to destinations strangers chose.
    pub send_budgets: SendBudgets,
    pub invite_budgets: InviteBudgets,
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
        if pepper.as_ref().is_some_and(|p| p.len() < MIN_PEPPER_BYTES) {
            return Err(SettingsError::WeakSecret("OTP_PEPPER"));
        }
        let send_budgets = send_budgets()?;
        Ok(Self {
            table_name: required("TABLE_NAME")?,
            otp_pepper: pepper.map(String::into_bytes),
            otp_pepper_secret_id: optional("OTP_PEPPER_SECRET_ID"),
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
            invite_budgets: invite_budgets(&send_budgets.sms_countries)?,
            send_budgets,
        })
    }
}

// ---- issue 12: abuse budgets (template parameters; defaults and reasons in
// `access::send_budgets` and `invites::rules`) ---------------------------------------

/// A positive count from the environment, or `default` when unset.
fn count(name: &'static str, default: usize) -> Result<usize, SettingsError> {
    match optional(name) {
        None => Ok(default),
        Some(v) => v
            .trim()
            .parse()
            .ok()
            .filter(|n| *n > 0)
            .ok_or(SettingsError::Invalid(name)),
    }
}

fn send_budgets() -> Result<SendBudgets, SettingsError> {
    let d = SendBudgets::default();
    let sms_countries = match optional("SMS_ALLOWED_COUNTRIES") {
        None => d.sms_countries.clone(),
        Some(list) => {
            let codes: Vec<String> = list
                .split(',')
                .map(|c| c.trim().to_ascii_uppercase())
                .filter(|c| !c.is_empty())
                .collect();
            if codes.is_empty()
                || codes
                    .iter()
                    .any(|c| c.len() != 2 || !c.bytes().all(|b| b.is_ascii_uppercase()))
            {
                return Err(SettingsError::Invalid("SMS_ALLOWED_COUNTRIES"));
            }
            codes
        }
    };
    Ok(SendBudgets {
        per_address_hour: count("CODE_BUDGET_PER_ADDRESS_HOUR", d.per_address_hour)?,
        per_address_day: count("CODE_BUDGET_PER_ADDRESS_DAY", d.per_address_day)?,
        per_link_hour: count("CODE_BUDGET_PER_LINK_HOUR", d.per_link_hour)?,
        per_link_day: count("CODE_BUDGET_PER_LINK_DAY", d.per_link_day)?,
        global_sms_hour: count("CODE_BUDGET_GLOBAL_SMS_HOUR", d.global_sms_hour)?,
        global_email_hour: count("CODE_BUDGET_GLOBAL_EMAIL_HOUR", d.global_email_hour)?,
        sms_countries,
    })
}

/// The invite budgets; invite SMS go to the same countries as code sends (`sms_countries`).
fn invite_budgets(sms_countries: &[String]) -> Result<InviteBudgets, SettingsError> {
    let d = InviteBudgets::default();
    Ok(InviteBudgets {
        per_practice_hour: count("INVITE_BUDGET_PRACTICE_HOUR", d.per_practice_hour)?,
        per_practice_day: count("INVITE_BUDGET_PRACTICE_DAY", d.per_practice_day)?,
        new_practice_hour: count("INVITE_BUDGET_NEW_PRACTICE_HOUR", d.new_practice_hour)?,
        new_practice_day: count("INVITE_BUDGET_NEW_PRACTICE_DAY", d.new_practice_day)?,
        per_contact_day: count("INVITE_BUDGET_CONTACT_DAY", d.per_contact_day)?,
        global_hour: count("INVITE_BUDGET_GLOBAL_HOUR", d.global_hour)?,
        sms_countries: sms_countries.to_vec(),
    })
}
