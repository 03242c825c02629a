//! Attachment bytes in Amazon S3 ([`AttachmentFiles`]): presigned PUT and GET URLs, the
//! upload check's ranged read, and deletes. Locally the same code talks to moto's S3
//! through `AWS_ENDPOINT_URL_S3` (path-style addressing, as moto serves one host).
//!
//! The requests are signed here (`signed.rs`, `client.rs`), not by `aws-sdk-s3`: its client
//! and the checksum tables it links cost every function that touches a bucket ~1.4 MB,
//! for six calls.
//!
//! The PUT URL signs `content-type`, `content-length`, `if-none-match: *` and the
//! `x-amz-tagging` of a fresh upload: S3 refuses a PUT whose type or length differ from the
//! reservation, refuses to overwrite an object already there, and the bucket's lifecycle
//! rule finds never-attached objects by that tag. moto checks none of it, so the unit tests
//! below assert what is signed.

use crate::attachments::model::ContentType;
use crate::ports::attachments::{AttachmentFiles, FilesError, ObjectHead, PresignedUpload};
use async_trait::async_trait;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

mod client;
mod signed;
mod tools;
mod xml;

pub use client::{S3Client, S3Error, S3Request, S3Response};

/// The tag every upload carries until its attachment is posted; the bucket's lifecycle rule
/// deletes objects still tagged so after a day.
pub const UNATTACHED_TAG: (&str, &str) = ("canopy-state", "unattached");

/// S3 refuses presigned URLs valid for longer than a week.
const MAX_PRESIGNED_SECS: u64 = 7 * 24 * 60 * 60;

/// The attachments bucket.
#[derive(Clone, Debug)]
pub struct S3Files {
    client: S3Client,
    bucket: String,
}

/// `ATTACHMENTS_BUCKET` is not set.
#[derive(Debug, thiserror::Error)]
#[error("environment variable ATTACHMENTS_BUCKET is not set")]
pub struct NoBucket;

impl S3Files {
    pub fn new(client: S3Client, bucket: impl Into<String>) -> Self {
        Self {
            client,
            bucket: bucket.into(),
        }
    }

    /// The bucket named by `ATTACHMENTS_BUCKET`, with the SDK configuration's credentials,
    /// timeouts and retries and the standard `AWS_ENDPOINT_URL_S3` override (then
    /// path-style).
    pub fn from_env(sdk: &aws_config::SdkConfig) -> Result<Self, NoBucket> {
        let bucket = std::env::var("ATTACHMENTS_BUCKET")
            .ok()
            .filter(|b| !b.trim().is_empty())
            .ok_or(NoBucket)?;
        Ok(Self::new(S3Client::from_sdk(sdk), bucket))
    }

    pub fn bucket(&self) -> &str {
        &self.bucket
    }
}

/// The signing time and lifetime of a presigned URL.
fn presigning(
    signed_at_ms: i64,
    expires_in_secs: u64,
) -> Result<(SystemTime, Duration), FilesError> {
    if expires_in_secs > MAX_PRESIGNED_SECS {
        return Err(FilesError::Other(
            "presigned URLs may not expire later than one week after creation".into(),
        ));
    }
    let start = UNIX_EPOCH + Duration::from_millis(signed_at_ms.max(0) as u64);
    Ok((start, Duration::from_secs(expires_in_secs)))
}

/// Throttling, 5xx, timeouts and unreachable endpoints are worth a retry (503); the rest
/// is ours.
fn files_error(err: S3Error) -> FilesError {
    if err.is_transient() {
        return FilesError::Unavailable;
    }
    match err {
        S3Error::Service { code, message, .. } => FilesError::Other(format!(
            "{} {}",
            code.as_deref().unwrap_or("?"),
            message.as_deref().unwrap_or("")
        )),
        S3Error::Local(reason) | S3Error::Unreachable(reason) => FilesError::Other(reason),
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
        i64::try_from(size).map_err(|_| FilesError::Other("size".into()))?;
        let (signed_at, expires_in) = presigning(signed_at_ms, expires_in_secs)?;
        let request = S3Request::new("PUT", &self.bucket, key)
            .header("content-length", size.to_string())
            .header("content-type", content_type.as_str())
            .header("if-none-match", "*")
            .header(
                "x-amz-tagging",
                format!("{}={}", UNATTACHED_TAG.0, UNATTACHED_TAG.1),
            );
        let url = self
            .client
            .presign(&request, signed_at, expires_in)
            .await
            .map_err(files_error)?;
        let mut headers: Vec<(String, String)> = request
            .headers
            .into_iter()
            .map(|(name, value)| (name.to_string(), value))
            .collect();
        headers.sort();
        Ok(PresignedUpload {
            url,
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
        let (signed_at, expires_in) = presigning(signed_at_ms, expires_in_secs)?;
        // Never rendered inline from the bucket's origin; the app shows it itself.
        let request = S3Request::new("GET", &self.bucket, key)
            .query("response-content-disposition", "attachment");
        self.client
            .presign(&request, signed_at, expires_in)
            .await
            .map_err(files_error)
    }

    async fn head(&self, key: &str, first: u64) -> Result<Option<ObjectHead>, FilesError> {
        let range = format!("bytes=0-{}", first.max(1) - 1);
        let request = S3Request::new("GET", &self.bucket, key).header("range", range);
        let out = match self.client.send(&request).await {
            Ok(out) => out,
            Err(err) if err.code() == Some("NoSuchKey") => return Ok(None),
            // An empty object has no byte 0: S3 answers 416 InvalidRange.
            Err(err) if err.code() == Some("InvalidRange") => return self.head_empty(key).await,
            Err(err) => return Err(files_error(err)),
        };
        let etag = out.etag();
        let size = out
            .header("content-range")
            .and_then(total_from_content_range)
            .or_else(|| out.content_length())
            .unwrap_or(0);
        let bytes = out.bytes().await.map_err(|_| FilesError::Unavailable)?;
        Ok(Some(ObjectHead {
            size,
            etag,
            first_bytes: bytes,
        }))
    }

    async fn delete(&self, key: &str) -> Result<(), FilesError> {
        let request = S3Request::new("DELETE", &self.bucket, key);
        self.client.send(&request).await.map_err(files_error)?;
        Ok(())
    }

    async fn mark_attached(&self, key: &str) -> Result<(), FilesError> {
        let current = self.tags(key).await?;
        let body = xml::tagging(&attached_tags(&current)).into_bytes();
        // PutObjectTagging requires a checksum of its body (Content-MD5 or x-amz-checksum-*).
        let checksum = {
            use base64::Engine;
            use sha2::Digest;
            base64::engine::general_purpose::STANDARD.encode(sha2::Sha256::digest(&body))
        };
        let request = S3Request::new("PUT", &self.bucket, key)
            .query("tagging", "")
            .header("content-type", "application/xml")
            .header("x-amz-checksum-sha256", checksum)
            .header("x-amz-sdk-checksum-algorithm", "SHA256")
            .body(body);
        self.client.send(&request).await.map_err(missing_or_error)?;
        Ok(())
    }

    async fn write_card(&self, key: &str, body: Vec<u8>) -> Result<(), FilesError> {
        let request = S3Request::new("PUT", &self.bucket, key)
            .header("content-type", "application/json")
            .body(body);
        self.client.send(&request).await.map_err(files_error)?;
        Ok(())
    }

    async fn read_card(&self, key: &str) -> Result<Option<Vec<u8>>, FilesError> {
        let request = S3Request::new("GET", &self.bucket, key);
        let out = match self.client.send(&request).await {
            Ok(out) => out,
            Err(err) if err.code() == Some("NoSuchKey") => return Ok(None),
            Err(err) => return Err(files_error(err)),
        };
        let bytes = out.bytes().await.map_err(|_| FilesError::Unavailable)?;
        Ok(Some(bytes))
    }
}

/// `NoSuchKey` (the object is gone) as [`FilesError::Missing`], the rest as usual.
fn missing_or_error(err: S3Error) -> FilesError {
    if err.code() == Some("NoSuchKey") {
        FilesError::Missing
    } else {
        files_error(err)
    }
}

/// The object's tags with `canopy-state` set to `attached` (GuardDuty's scan tag and any
/// other tag are kept: PutObjectTagging replaces the whole set).
fn attached_tags(current: &[(String, String)]) -> Vec<(String, String)> {
    let mut tags: Vec<(String, String)> = current
        .iter()
        .filter(|(key, _)| key != UNATTACHED_TAG.0)
        .cloned()
        .collect();
    tags.push((UNATTACHED_TAG.0.to_string(), ATTACHED_VALUE.to_string()));
    tags
}

/// The value of `canopy-state` once the attachment is on a message.
pub const ATTACHED_VALUE: &str = "attached";

impl S3Files {
    /// The object's tags (the attach step and tests).
    pub async fn tags(&self, key: &str) -> Result<Vec<(String, String)>, FilesError> {
        let request = S3Request::new("GET", &self.bucket, key).query("tagging", "");
        let out = self.client.send(&request).await.map_err(missing_or_error)?;
        let document = out.bytes().await.map_err(|_| FilesError::Unavailable)?;
        Ok(xml::tags(&String::from_utf8_lossy(&document)))
    }

    /// The ETag and size of an object whose first byte cannot be read (it is empty).
    async fn head_empty(&self, key: &str) -> Result<Option<ObjectHead>, FilesError> {
        let request = S3Request::new("HEAD", &self.bucket, key);
        match self.client.send(&request).await {
            Ok(out) => Ok(Some(ObjectHead {
                size: out.content_length().unwrap_or(0),
                etag: out.etag(),
                first_bytes: Vec::new(),
            })),
            // A HEAD has no error document: 404 is the object's absence.
            Err(err) if err.status() == Some(404) => Ok(None),
            Err(err) => Err(files_error(err)),
        }
    }
}

#[cfg(test)]
mod tests;
#[cfg(test)]
mod tests_signing;
#[cfg(test)]
mod tests_wire;
