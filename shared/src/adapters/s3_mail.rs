//! Raw inbound mail from S3: the SES receipt rule's S3 action stores each message (SNS
//! alone would bounce mail over 150 KB) and the SNS notification names the object.

use crate::ports::standard::{MailSource, SendFailure};
use async_trait::async_trait;

/// Inbound mail larger than this is refused (SES itself accepts up to 40 MB).
pub const MAX_MAIL_BYTES: i64 = 10 * 1024 * 1024;

pub struct S3Mail {
    client: aws_sdk_s3::Client,
}

impl S3Mail {
    pub fn new(client: aws_sdk_s3::Client) -> Self {
        Self { client }
    }
}

#[async_trait]
impl MailSource for S3Mail {
    async fn fetch(&self, bucket: &str, key: &str) -> Result<Option<Vec<u8>>, SendFailure> {
        let out = match self
            .client
            .get_object()
            .bucket(bucket)
            .key(key)
            .send()
            .await
        {
            Ok(out) => out,
            Err(err) => {
                let missing = err.as_service_error().is_some_and(|e| e.is_no_such_key());
                return if missing {
                    Ok(None)
                } else {
                    tracing::warn!("inbound mail fetch failed");
                    Err(SendFailure::Unavailable)
                };
            }
        };
        if out.content_length.unwrap_or(0) > MAX_MAIL_BYTES {
            return Err(SendFailure::Refused("too large".into()));
        }
        let bytes = out
            .body
            .collect()
            .await
            .map_err(|_| SendFailure::Unavailable)?;
        Ok(Some(bytes.into_bytes().to_vec()))
    }
}
