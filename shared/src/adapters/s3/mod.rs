//! Attachment bytes in Amazon S3 ([`AttachmentFiles`]): presigned PUT and GET URLs, the
//! upload check's ranged read, and deletes. Locally the same code talks to moto's S3
//! through `AWS_ENDPOINT_URL_S3` (path-style addressing, as moto serves one host).
//!
//! The PUT URL signs `content-type`, `content-length`, `if-none-match: *` and the
//! `x-amz-tagging` of a fresh upload: S3 refuses a PUT whose type or length differ from the
//! reservation, refuses to overwrite an object already there, and the bucket's lifecycle
//! rule finds never-attached objects by that tag. moto checks none of it, so the unit tests
//! below assert what is signed.

use crate::attachments::model::ContentType;
use crate::ports::attachments::{AttachmentFiles, FilesError, ObjectHead, PresignedUpload};
use async_trait::async_trait;
use aws_sdk_s3::error::{ProvideErrorMetadata, SdkError};
use aws_sdk_s3::presigning::PresigningConfig;
use std::time::{Duration, UNIX_EPOCH};

/// The tag every upload carries until its attachment is posted; the bucket's lifecycle rule
/// deletes objects still tagged so after a day.
pub const UNATTACHED_TAG: (&str, &str) = ("canopy-state", "unattached");

/// The attachments bucket.
#[derive(Clone, Debug)]
pub struct S3Files {
    client: aws_sdk_s3::Client,
    bucket: String,
}

/// `ATTACHMENTS_BUCKET` is not set.
#[derive(Debug, thiserror::Error)]
#[error("environment variable ATTACHMENTS_BUCKET is not set")]
pub struct NoBucket;

impl S3Files {
    pub fn new(client: aws_sdk_s3::Client, bucket: impl Into<String>) -> Self {
        Self {
            client,
            bucket: bucket.into(),
        }
    }

    /// The bucket named by `ATTACHMENTS_BUCKET`, with the SDK configuration's timeouts and
    /// retries and the standard `AWS_ENDPOINT_URL_S3` override (then path-style).
    pub fn from_env(sdk: &aws_config::SdkConfig) -> Result<Self, NoBucket> {
        let bucket = std::env::var("ATTACHMENTS_BUCKET")
            .ok()
            .filter(|b| !b.trim().is_empty())
            .ok_or(NoBucket)?;
        let mut config = aws_sdk_s3::config::Builder::from(sdk)
            // Checksums only where S3 requires them: a default CRC32 would otherwise be
            // signed into presigned PUTs for an empty body.
            .request_checksum_calculation(
                aws_sdk_s3::config::RequestChecksumCalculation::WhenRequired,
            )
            .response_checksum_validation(
                aws_sdk_s3::config::ResponseChecksumValidation::WhenRequired,
            );
        if let Some(url) = std::env::var("AWS_ENDPOINT_URL_S3")
            .ok()
            .filter(|u| !u.is_empty())
        {
            config = config.endpoint_url(url).force_path_style(true);
        }
        Ok(Self::new(
            aws_sdk_s3::Client::from_conf(config.build()),
            bucket,
        ))
    }

    pub fn bucket(&self) -> &str {
        &self.bucket
    }
}

fn presigning(signed_at_ms: i64, expires_in_secs: u64) -> Result<PresigningConfig, FilesError> {
    let start = UNIX_EPOCH + Duration::from_millis(signed_at_ms.max(0) as u64);
    PresigningConfig::builder()
        .start_time(start)
        .expires_in(Duration::from_secs(expires_in_secs))
        .build()
        .map_err(|e| FilesError::Other(e.to_string()))
}

/// Throttling, timeouts and unreachable endpoints are worth a retry (503); the rest is ours.
fn files_error<E, R>(err: SdkError<E, R>) -> FilesError
where
    E: ProvideErrorMetadata + std::error::Error + 'static,
    R: std::fmt::Debug,
{
    match &err {
        SdkError::TimeoutError(_) | SdkError::DispatchFailure(_) | SdkError::ResponseError(_) => {
            FilesError::Unavailable
        }
        SdkError::ServiceError(service) => match service.err().code() {
            Some("SlowDown" | "ServiceUnavailable" | "InternalError" | "RequestTimeout") => {
                FilesError::Unavailable
            }
            code => FilesError::Other(format!(
                "{} {}",
                code.unwrap_or("?"),
                service.err().message().unwrap_or("")
            )),
        },
        _ => FilesError::Other(format!("{err:?}")),
    }
}

/// The total size from `Content-Range: bytes 0-4095/12345`.
fn total_from_content_range(range: &str) -> Option<u64> {
    range.rsplit_once('/')?.1.parse().ok()
}

#[async_trait]
impl AttachmentFiles for S3Files {
    async fn presign_upload(
        &self,
        key: &str,
        content_type: ContentType,
        size: u64,
        signed_at_ms: i64,
        expires_in_secs: u64,
    ) -> Result<PresignedUpload, FilesError> {
        let length = i64::try_from(size).map_err(|_| FilesError::Other("size".into()))?;
        let request = self
            .client
            .put_object()
            .bucket(&self.bucket)
            .key(key)
            .content_type(content_type.as_str())
            .content_length(length)
            .if_none_match("*")
            .tagging(format!("{}={}", UNATTACHED_TAG.0, UNATTACHED_TAG.1))
            .presigned(presigning(signed_at_ms, expires_in_secs)?)
            .await
            .map_err(files_error)?;
        let mut headers: Vec<(String, String)> = request
            .headers()
            .map(|(name, value)| (name.to_ascii_lowercase(), value.to_string()))
            .collect();
        headers.sort();
        Ok(PresignedUpload {
            url: request.uri().to_string(),
            headers,
            expires_at_ms: signed_at_ms + (expires_in_secs as i64) * 1000,
        })
    }

    async fn presign_download(
        &self,
        key: &str,
        signed_at_ms: i64,
        expires_in_secs: u64,
    ) -> Result<String, FilesError> {
        let request = self
            .client
            .get_object()
            .bucket(&self.bucket)
            .key(key)
            // Never rendered inline from the bucket's origin; the app shows it itself.
            .response_content_disposition("attachment")
            .presigned(presigning(signed_at_ms, expires_in_secs)?)
            .await
            .map_err(files_error)?;
        Ok(request.uri().to_string())
    }

    async fn head(&self, key: &str, first: u64) -> Result<Option<ObjectHead>, FilesError> {
        let range = format!("bytes=0-{}", first.max(1) - 1);
        let result = self
            .client
            .get_object()
            .bucket(&self.bucket)
            .key(key)
            .range(range)
            .send()
            .await;
        let out = match result {
            Ok(out) => out,
            Err(err) => {
                if err.as_service_error().is_some_and(|e| e.is_no_such_key()) {
                    return Ok(None);
                }
                // An empty object has no byte 0: S3 answers 416 InvalidRange.
                if err.code() == Some("InvalidRange") {
                    return self.head_empty(key).await;
                }
                return Err(files_error(err));
            }
        };
        let etag = out
            .e_tag()
            .unwrap_or_default()
            .trim_matches('"')
            .to_string();
        let size = out
            .content_range()
            .and_then(total_from_content_range)
            .or_else(|| out.content_length().map(|l| l.max(0) as u64))
            .unwrap_or(0);
        let bytes = out
            .body
            .collect()
            .await
            .map_err(|_| FilesError::Unavailable)?
            .into_bytes();
        Ok(Some(ObjectHead {
            size,
            etag,
            first_bytes: bytes.to_vec(),
        }))
    }

    async fn delete(&self, key: &str) -> Result<(), FilesError> {
        self.client
            .delete_object()
            .bucket(&self.bucket)
            .key(key)
            .send()
            .await
            .map_err(files_error)?;
        Ok(())
    }

    async fn mark_attached(&self, key: &str) -> Result<(), FilesError> {
        let current = self
            .client
            .get_object_tagging()
            .bucket(&self.bucket)
            .key(key)
            .send()
            .await
            .map_err(missing_or_error)?;
        let tagging = aws_sdk_s3::types::Tagging::builder()
            .set_tag_set(Some(attached_tags(current.tag_set())?))
            .build()
            .map_err(|e| FilesError::Other(e.to_string()))?;
        self.client
            .put_object_tagging()
            .bucket(&self.bucket)
            .key(key)
            .tagging(tagging)
            .send()
            .await
            .map_err(missing_or_error)?;
        Ok(())
    }

    async fn write_card(&self, key: &str, body: Vec<u8>) -> Result<(), FilesError> {
        self.client
            .put_object()
            .bucket(&self.bucket)
            .key(key)
            .content_type("application/json")
            .body(body.into())
            .send()
            .await
            .map_err(files_error)?;
        Ok(())
    }

    async fn read_card(&self, key: &str) -> Result<Option<Vec<u8>>, FilesError> {
        let out = match self
            .client
            .get_object()
            .bucket(&self.bucket)
            .key(key)
            .send()
            .await
        {
            Ok(out) => out,
            Err(err) if err.as_service_error().is_some_and(|e| e.is_no_such_key()) => {
                return Ok(None)
            }
            Err(err) => return Err(files_error(err)),
        };
        let bytes = out
            .body
            .collect()
            .await
            .map_err(|_| FilesError::Unavailable)?
            .into_bytes();
        Ok(Some(bytes.to_vec()))
    }
}

/// `NoSuchKey` (the object is gone) as [`FilesError::Missing`], the rest as usual.
fn missing_or_error<E, R>(err: SdkError<E, R>) -> FilesError
where
    E: ProvideErrorMetadata + std::error::Error + 'static,
    R: std::fmt::Debug,
{
    if err.code() == Some("NoSuchKey") {
        FilesError::Missing
    } else {
        files_error(err)
    }
}

/// The object's tags with `canopy-state` set to `attached` (GuardDuty's scan tag and any
/// other tag are kept: PutObjectTagging replaces the whole set).
fn attached_tags(
    current: &[aws_sdk_s3::types::Tag],
) -> Result<Vec<aws_sdk_s3::types::Tag>, FilesError> {
    let mut tags: Vec<aws_sdk_s3::types::Tag> = current
        .iter()
        .filter(|t| t.key() != UNATTACHED_TAG.0)
        .cloned()
        .collect();
    tags.push(
        aws_sdk_s3::types::Tag::builder()
            .key(UNATTACHED_TAG.0)
            .value(ATTACHED_VALUE)
            .build()
            .map_err(|e| FilesError::Other(e.to_string()))?,
    );
    Ok(tags)
}

/// The value of `canopy-state` once the attachment is on a message.
pub const ATTACHED_VALUE: &str = "attached";

impl S3Files {
    /// The ETag and size of an object whose first byte cannot be read (it is empty).
    async fn head_empty(&self, key: &str) -> Result<Option<ObjectHead>, FilesError> {
        match self
            .client
            .head_object()
            .bucket(&self.bucket)
            .key(key)
            .send()
            .await
        {
            Ok(out) => Ok(Some(ObjectHead {
                size: out.content_length().unwrap_or(0).max(0) as u64,
                etag: out
                    .e_tag()
                    .unwrap_or_default()
                    .trim_matches('"')
                    .to_string(),
                first_bytes: Vec::new(),
            })),
            Err(err) if err.as_service_error().is_some_and(|e| e.is_not_found()) => Ok(None),
            Err(err) => Err(files_error(err)),
        }
    }
}

mod tools;

#[cfg(test)]
mod tests;
