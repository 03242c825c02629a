//! Builds the standard-messaging providers once per cold start (see [`crate::app::Channels`]).
//!
//! In AWS (`STANDARD_CHANNELS=aws`): End User Messaging SMS and SES, each with the
//! configuration set that routes its events to the delivery-status topic. Locally
//! (`local-stand-in`): SMS through SNS to moto, SES to moto, both wrapped in the provider
//! echo the status stand-ins read. Inbound mail is read from S3 in both
//! ([`inbound_mail`], built only where mail is read).

use crate::adapters::end_user_messaging::EndUserMessagingSms;
use crate::adapters::provider_echo::ProviderEcho;
use crate::adapters::s3::S3Client;
use crate::adapters::s3_mail::S3Mail;
use crate::adapters::ses_standard::SesStandardEmail;
use crate::adapters::sns_sms_stand_in::SnsSmsStandIn;
use crate::app::{dynamodb_config, endpoint_override, Channels};
use crate::config::{Settings, StandardChannels};
use crate::ports::standard::MailSource;
use crate::ports::NoMessaging;
use aws_config::SdkConfig;
use std::sync::Arc;

/// The senders; `mail` refuses until [`inbound_mail`] replaces it.
pub fn build(
    sdk: &SdkConfig,
    settings: &Settings,
    sns: aws_sdk_sns::Client,
    ses: aws_sdk_ses::Client,
) -> Channels {
    let mail = Arc::new(NoMessaging);
    let email = SesStandardEmail::new(ses, settings.email_configuration_set.clone());
    match settings.standard_channels {
        StandardChannels::Aws => {
            let mut sms = aws_sdk_pinpointsmsvoicev2::config::Builder::from(sdk);
            if let Some(url) = endpoint_override("PINPOINT_SMS_VOICE_V2") {
                sms = sms.endpoint_url(url);
            }
            Channels {
                sms: Arc::new(EndUserMessagingSms::new(
                    aws_sdk_pinpointsmsvoicev2::Client::from_conf(sms.build()),
                    settings.sms_configuration_set.clone(),
                )),
                email: Arc::new(email),
                mail,
            }
        }
        StandardChannels::LocalStandIn => {
            // Its own client: the echo is not one of the function's round trips.
            let db = aws_sdk_dynamodb::Client::from_conf(dynamodb_config(sdk).build());
            let table = settings.table_name.clone();
            Channels {
                sms: Arc::new(ProviderEcho::new(
                    Arc::new(SnsSmsStandIn::new(sns)),
                    db.clone(),
                    table.clone(),
                )),
                email: Arc::new(ProviderEcho::new(Arc::new(email), db, table)),
                mail,
            }
        }
    }
}

/// The inbound mail source: SES stores received mail in S3 (path-style under
/// `AWS_ENDPOINT_URL_S3`: moto serves buckets by path, not by virtual host).
pub fn inbound_mail(sdk: &SdkConfig) -> Arc<dyn MailSource> {
    Arc::new(S3Mail::new(S3Client::from_sdk(sdk)))
}
