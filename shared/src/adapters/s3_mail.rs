//! Raw inbound mail from S3: the SES receipt rule's S3 action stores each message (SNS
//! alone would bounce mail over 150 KB) and the SNS notification names the object. One
//! GetObject, signed by the small client of `adapters::s3`.

use crate::adapters::s3::{S3Client, S3Request};
use crate::ports::standard::{MailSource, SendFailure};
use async_trait::async_trait;

/// Inbound mail larger than this is refused (SES itself accepts up to 40 MB).
pub const MAX_MAIL_BYTES: i64 = 10 * 1024 * 1024;

pub struct S3Mail {
    client: S3Client,
}

impl S3Mail {
    pub fn new(client: S3Client) -> Self {
        Self { client }
    }
}

#[async_trait]
impl MailSource for S3Mail {
    async fn fetch(&self, bucket: &str, key: &str) -> Result<Option<Vec<u8>>, SendFailure> {
        let request = S3Request::new("GET", bucket, key);
        let out = match self.client.send(&request).await {
            Ok(out) => out,
            Err(err) if err.code() == Some("NoSuchKey") => return Ok(None),
            Err(_) => {
                tracing::warn!("inbound mail fetch failed");
                return Err(SendFailure::Unavailable);
            }
        };
        // Refused before a byte of the body is read.
        if out.content_length().unwrap_or(0) > MAX_MAIL_BYTES as u64 {
            return Err(SendFailure::Refused("too large".into()));
        }
        let bytes = out.bytes().await.map_err(|_| SendFailure::Unavailable)?;
        Ok(Some(bytes))
    }
}
