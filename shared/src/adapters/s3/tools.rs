//! `S3Files` calls that no deployed function makes: listing the bucket (the dev server's
//! stand-in for the S3 notification) and putting an object as a client would (bench, tests).

use super::{files_error, xml, S3Files, S3Request, UNATTACHED_TAG};
use crate::attachments::model::ContentType;
use crate::ports::attachments::FilesError;

impl S3Files {
    /// Every object under `prefix` as (key, ETag, size): the dev server's stand-in for the
    /// S3 notification lists the bucket (never used by a deployed function).
    pub async fn list(&self, prefix: &str) -> Result<Vec<(String, String, u64)>, FilesError> {
        let mut found = Vec::new();
        let mut token: Option<String> = None;
        loop {
            let mut request = S3Request::new("GET", &self.bucket, "")
                .query("list-type", "2")
                .query("prefix", prefix);
            if let Some(token) = token.take() {
                request = request.query("continuation-token", token);
            }
            let page = self.client.send(&request).await.map_err(files_error)?;
            let page = page.bytes().await.map_err(|_| FilesError::Unavailable)?;
            let (objects, next) = xml::list_page(&String::from_utf8_lossy(&page));
            found.extend(objects);
            match next {
                Some(next) => token = Some(next),
                None => return Ok(found),
            }
        }
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
        let request = S3Request::new("PUT", &self.bucket, key)
            .header("content-type", content_type.as_str())
            .header(
                "x-amz-tagging",
                format!("{}={}", UNATTACHED_TAG.0, UNATTACHED_TAG.1),
            )
            .body(bytes);
        let out = self.client.send(&request).await.map_err(files_error)?;
        Ok(out.etag())
    }
}
