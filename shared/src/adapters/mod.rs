//! Adapters translate between the domain and AWS; they do not decide anything.

pub mod call_counter;
#[cfg(test)]
pub mod canned_server;
pub mod dynamo;
pub mod end_user_messaging;
pub mod https;
pub mod provider_echo;
pub mod s3;
pub mod s3_mail;
pub mod secrets_manager;
pub mod ses;
pub mod ses_standard;
pub mod signed_call;
pub mod sns;
pub mod sns_push;
pub mod sns_sms_stand_in;
#[cfg(any(test, feature = "throttle-sim"))]
pub mod throttle;
