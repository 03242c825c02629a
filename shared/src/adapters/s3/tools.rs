//! `S3Files` calls that no deployed function makes: listing the bucket (the dev server's
//! stand-in for the S3 notification), putting an object as a client would (bench, tests)
//! and reading an object's tags (tests).

use super::{files_error, missing_or_error, S3Files, UNATTACHED_TAG};
use crate::attachments::model::ContentType;
use crate::ports::attachments::FilesError;

impl S3Files {
    /// Every object under `prefix` as (key, ETag, size): the dev server's stand-in for the
    /// S3 notification lists the bucket (never used by a deployed function).
    pub async fn list(&self, prefix: &str) -> Result<Vec<(String, String, u64)>, FilesError> {
        let mut found = Vec::new();
        let mut pages = self
            .client
            .list_objects_v2()
            .bucket(&self.bucket)
            .prefix(prefix)
            .into_paginator()
            .send();
        while let Some(page) = pages.next().await {
            let page = page.map_err(files_error)?;
            for object in page.contents() {
                if let (Some(key), Some(etag)) = (object.key(), object.e_tag()) {
                    let size = object.size().unwrap_or(0).max(0) as u64;
                    found.push((key.to_string(), etag.trim_matches('"').to_string(), size));
                }
            }
        }
        Ok(found)
    }

    /// Stores `bytes` at `key` the way a client's presigned PUT does (with the unattached
    /// tag): for the bench and tests, which need objects without a client. No function
    /// calls it.
    pub async fn put_as_client(
        &self,
        key: &str,
        content_type: ContentType,
        bytes: Vec<u8>,
    ) -> Result<String, FilesError> {
        let out = self
            .client
            .put_object()
            .bucket(&self.bucket)
            .key(key)
            .content_type(content_type.as_str())
            .tagging(format!("{}={}", UNATTACHED_TAG.0, UNATTACHED_TAG.1))
            .body(bytes.into())
            .send()
            .await
            .map_err(files_error)?;
        Ok(out
            .e_tag()
            .unwrap_or_default()
            .trim_matches('"')
            .to_string())
    }

    /// The object's tags (tests and the attach step).
    pub async fn tags(&self, key: &str) -> Result<Vec<(String, String)>, FilesError> {
        let out = self
            .client
            .get_object_tagging()
            .bucket(&self.bucket)
            .key(key)
            .send()
            .await
            .map_err(missing_or_error)?;
        Ok(out
            .tag_set()
            .iter()
            .map(|t| (t.key().to_string(), t.value().to_string()))
            .collect())
    }
}
