//! The account's SMS spend limits: the port, and its AWS adapter.
//!
//! Canopy sends SMS two ways (CHANNELS.md): sign-in codes and invites by SNS
//! `Publish(PhoneNumber)`, standard conversations by End User Messaging SMS. Each has its
//! own monthly limit, so both are set. Locally (`STANDARD_CHANNELS=local-stand-in`) every SMS
//! goes through SNS to moto, and moto has no End User Messaging: the SNS limit is then the
//! one limit there is, and the only one set.

use async_trait::async_trait;
use aws_sdk_pinpointsmsvoicev2::error::ProvideErrorMetadata;

#[async_trait]
pub trait SpendLimits: Send + Sync {
    /// Sets every SMS channel's monthly limit to `usd`; answers the channels it set.
    async fn set_monthly_limit(&self, usd: u32) -> Result<Vec<&'static str>, String>;
}

pub struct AwsSpendLimits {
    sns: aws_sdk_sns::Client,
    /// `None` where standard SMS goes through SNS (the local stand-in).
    end_user_messaging: Option<aws_sdk_pinpointsmsvoicev2::Client>,
}

impl AwsSpendLimits {
    /// SNS always; End User Messaging SMS where standard conversations use it
    /// (`STANDARD_CHANNELS=aws`, the deployed default). Endpoint overrides as every client.
    pub async fn from_env() -> Result<Self, String> {
        let sdk = canopy_shared::app::load_sdk_config().await;
        let mut sns = aws_sdk_sns::config::Builder::from(&sdk);
        if let Some(url) = canopy_shared::app::endpoint_override("SNS") {
            sns = sns.endpoint_url(url);
        }
        let uses_end_user_messaging = match std::env::var("STANDARD_CHANNELS").ok().as_deref() {
            None | Some("aws") => true,
            Some("local-stand-in") => false,
            Some(other) => {
                return Err(format!(
                    "STANDARD_CHANNELS={other:?} is not a channel setting"
                ))
            }
        };
        let eum = uses_end_user_messaging.then(|| {
            let mut eum = aws_sdk_pinpointsmsvoicev2::config::Builder::from(&sdk);
            if let Some(url) = canopy_shared::app::endpoint_override("PINPOINT_SMS_VOICE_V2") {
                eum = eum.endpoint_url(url);
            }
            aws_sdk_pinpointsmsvoicev2::Client::from_conf(eum.build())
        });
        Ok(Self::new(aws_sdk_sns::Client::from_conf(sns.build()), eum))
    }

    pub fn new(
        sns: aws_sdk_sns::Client,
        end_user_messaging: Option<aws_sdk_pinpointsmsvoicev2::Client>,
    ) -> Self {
        Self {
            sns,
            end_user_messaging,
        }
    }
}

/// A refused call as the reason CloudFormation shows (the service's code and message; no
/// PHI can be in either).
fn refused<E: ProvideErrorMetadata>(channel: &str, e: &E) -> String {
    format!(
        "{channel} refused the spend limit: {} {}",
        e.code().unwrap_or("no answer"),
        e.message().unwrap_or_default()
    )
}

#[async_trait]
impl SpendLimits for AwsSpendLimits {
    async fn set_monthly_limit(&self, usd: u32) -> Result<Vec<&'static str>, String> {
        self.sns
            .set_sms_attributes()
            .attributes("MonthlySpendLimit", usd.to_string())
            // Codes and invites are transactional: highest delivery, never marketing rules.
            .attributes("DefaultSMSType", "Transactional")
            .send()
            .await
            .map_err(|e| refused("SNS", &e))?;
        let mut set = vec!["sns"];
        if let Some(eum) = &self.end_user_messaging {
            eum.set_text_message_spend_limit_override()
                .monthly_limit(i64::from(usd))
                .send()
                .await
                .map_err(|e| refused("End User Messaging SMS", &e))?;
            set.push("end_user_messaging_sms");
        }
        Ok(set)
    }
}
