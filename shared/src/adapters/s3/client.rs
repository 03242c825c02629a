//! A small S3 REST client: the handful of object calls Canopy makes, signed with SigV4
//! (`signed.rs`) and sent over the same TLS stack as the SDK clients
//! ([`crate::app::https_connector`]). It replaces `aws-sdk-s3`, whose client and checksum
//! tables cost ~1.4 MB in each function that touches a bucket.
//!
//! Like the SDK clients it takes its credentials, region, timeouts and retries from the
//! [`SdkConfig`]. Addressing: path-style (`{endpoint}/{bucket}/{key}`) when an endpoint is
//! configured (`AWS_ENDPOINT_URL_S3`, else `AWS_ENDPOINT_URL`: moto locally, which serves
//! every bucket from one host), virtual-hosted (`https://{bucket}.s3.{region}.amazonaws.com`)
//! otherwise, as the SDK does for a bucket name without dots.

use super::signed::{uri_encode, Signer};
use crate::adapters::https::LazyConnector;
use crate::adapters::signed_call::{self, CallPolicy, Failure};
use aws_config::SdkConfig;
use aws_credential_types::provider::SharedCredentialsProvider;
use aws_smithy_runtime_api::client::http::HttpConnector;
use aws_smithy_runtime_api::client::identity::Identity;
use aws_smithy_runtime_api::client::orchestrator::HttpRequest;
use aws_smithy_runtime_api::http::Headers;
use aws_smithy_types::body::SdkBody;
use aws_smithy_types::byte_stream::ByteStream;
use std::time::{Duration, SystemTime};

/// The S3 client; cheap to clone (the connection pool is shared).
#[derive(Clone, Debug)]
pub struct S3Client {
    /// Built at the first S3 call (most requests make none).
    http: LazyConnector,
    credentials: Option<SharedCredentialsProvider>,
    region: String,
    /// The configured endpoint (path-style), without a trailing `/`.
    endpoint: Option<String>,
    policy: CallPolicy,
}

/// The parts of a request its signature covers ([`S3Client::signable`]).
struct Signable<'r> {
    identity: Identity,
    url: String,
    headers: Vec<(&'r str, &'r str)>,
}

/// Why a call failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum S3Error {
    /// No answer: a timeout, a refused or broken connection, or a body that stopped.
    Unreachable(String),
    /// S3 answered with an error status (`code` from the error document; a HEAD has none).
    Service {
        status: u16,
        code: Option<String>,
        message: Option<String>,
    },
    /// Nothing was sent: no credentials, or a request that cannot be signed.
    Local(String),
}

impl S3Error {
    /// The S3 error code (`NoSuchKey`, `InvalidRange`, …).
    pub fn code(&self) -> Option<&str> {
        match self {
            S3Error::Service { code, .. } => code.as_deref(),
            _ => None,
        }
    }

    pub fn status(&self) -> Option<u16> {
        match self {
            S3Error::Service { status, .. } => Some(*status),
            _ => None,
        }
    }

    /// Worth another attempt (and, once attempts are spent, a 503 to the caller): no
    /// answer, a 5xx, or S3 asking us to slow down.
    pub fn is_transient(&self) -> bool {
        match self {
            S3Error::Unreachable(_) => true,
            S3Error::Service { status, code, .. } => {
                matches!(status, 500 | 502 | 503 | 504)
                    || matches!(
                        code.as_deref(),
                        Some(
                            "SlowDown" | "ServiceUnavailable" | "InternalError" | "RequestTimeout"
                        )
                    )
            }
            S3Error::Local(_) => false,
        }
    }
}

impl Failure for S3Error {
    fn is_transient(&self) -> bool {
        S3Error::is_transient(self)
    }

    fn timed_out(limit: Duration) -> Self {
        S3Error::Unreachable(format!("timed out after {limit:?}"))
    }
}

/// One call: the object (`key` empty for a bucket-level call such as a listing), the query
/// (a `""` value is written as a bare name, `?tagging`), the headers to sign and send,
/// and the body.
pub struct S3Request<'a> {
    pub method: &'static str,
    pub bucket: &'a str,
    pub key: &'a str,
    pub query: Vec<(&'static str, String)>,
    pub headers: Vec<(&'static str, String)>,
    pub body: Vec<u8>,
}

impl<'a> S3Request<'a> {
    pub fn new(method: &'static str, bucket: &'a str, key: &'a str) -> Self {
        Self {
            method,
            bucket,
            key,
            query: Vec::new(),
            headers: Vec::new(),
            body: Vec::new(),
        }
    }

    pub fn query(mut self, name: &'static str, value: impl Into<String>) -> Self {
        self.query.push((name, value.into()));
        self
    }

    pub fn header(mut self, name: &'static str, value: impl Into<String>) -> Self {
        self.headers.push((name, value.into()));
        self
    }

    pub fn body(mut self, body: Vec<u8>) -> Self {
        self.body = body;
        self
    }
}

/// A successful answer; the body is read on demand (after the headers were checked).
#[derive(Debug)]
pub struct S3Response {
    pub status: u16,
    headers: Headers,
    body: SdkBody,
}

impl S3Response {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name)
    }

    /// `Content-Length`, when S3 sent one.
    pub fn content_length(&self) -> Option<u64> {
        self.header("content-length")?.trim().parse().ok()
    }

    /// The ETag without its quotes ("" without one).
    pub fn etag(&self) -> String {
        self.header("etag")
            .unwrap_or_default()
            .trim_matches('"')
            .to_string()
    }

    pub async fn bytes(self) -> Result<Vec<u8>, S3Error> {
        read_body(self.body).await
    }
}

async fn read_body(body: SdkBody) -> Result<Vec<u8>, S3Error> {
    ByteStream::new(body)
        .collect()
        .await
        .map(|b| b.into_bytes().to_vec())
        .map_err(|e| S3Error::Unreachable(format!("reading the body: {e}")))
}

impl S3Client {
    /// Credentials, region, timeouts and retries from the SDK configuration; the endpoint
    /// from `AWS_ENDPOINT_URL_S3`, else `AWS_ENDPOINT_URL` (or the configuration's own).
    pub fn from_sdk(sdk: &SdkConfig) -> Self {
        Self {
            http: LazyConnector::new(sdk),
            credentials: sdk.credentials_provider(),
            region: signed_call::region(sdk),
            endpoint: signed_call::configured_endpoint(sdk, "S3"),
            policy: CallPolicy::from_sdk(sdk),
        }
    }

    /// This client with `endpoint` (path-style) in place of the configured one.
    pub fn with_endpoint(mut self, endpoint: impl Into<String>) -> Self {
        self.endpoint = Some(endpoint.into().trim_end_matches('/').to_string());
        self
    }

    pub fn region(&self) -> &str {
        &self.region
    }

    /// The object's URL with `query` (each name and value encoded).
    pub fn url(&self, bucket: &str, key: &str, query: &[(&str, String)]) -> String {
        let path = uri_encode(key, true);
        let mut url = match &self.endpoint {
            Some(endpoint) => format!("{endpoint}/{bucket}/{path}"),
            // A dotted name would not match the wildcard certificate: path-style, as the SDK.
            None if bucket.contains('.') => {
                format!("https://s3.{}.amazonaws.com/{bucket}/{path}", self.region)
            }
            None => format!("https://{bucket}.s3.{}.amazonaws.com/{path}", self.region),
        };
        for (i, (name, value)) in query.iter().enumerate() {
            url.push(if i == 0 { '?' } else { '&' });
            url.push_str(&uri_encode(name, false));
            if !value.is_empty() {
                url.push('=');
                url.push_str(&uri_encode(value, false));
            }
        }
        url
    }

    async fn identity(&self) -> Result<Identity, S3Error> {
        signed_call::identity(self.credentials.as_ref())
            .await
            .map_err(S3Error::Local)
    }

    /// A presigned URL for `request` (its body is the client's), signed at `signed_at` and
    /// valid for `expires_in`; the client must send `request.headers` as they are.
    pub async fn presign(
        &self,
        request: &S3Request<'_>,
        signed_at: SystemTime,
        expires_in: Duration,
    ) -> Result<String, S3Error> {
        let Signable {
            identity,
            url,
            headers,
        } = self.signable(request).await?;
        Signer {
            identity: &identity,
            region: &self.region,
            time: signed_at,
        }
        .presign(request.method, &url, &headers, expires_in)
        .map_err(|e| S3Error::Local(e.to_string()))
    }

    /// What a request is signed over, for a presigned URL and a sent request alike: the
    /// caller's identity now, the request's URL and its own headers.
    async fn signable<'r>(&self, request: &'r S3Request<'_>) -> Result<Signable<'r>, S3Error> {
        Ok(Signable {
            identity: self.identity().await?,
            url: self.url(request.bucket, request.key, &request.query),
            headers: request
                .headers
                .iter()
                .map(|(k, v)| (*k, v.as_str()))
                .collect(),
        })
    }

    /// Sends `request` (signed anew for each attempt), retrying transient failures like the
    /// SDK's standard mode, within the configured attempt and operation timeouts. Any 2xx
    /// is an answer; any other status is an [`S3Error::Service`].
    pub async fn send(&self, request: &S3Request<'_>) -> Result<S3Response, S3Error> {
        self.policy.run(|| self.attempt(request)).await
    }

    async fn attempt(&self, request: &S3Request<'_>) -> Result<S3Response, S3Error> {
        let Signable {
            identity,
            url,
            headers,
        } = self.signable(request).await?;
        let signature = Signer {
            identity: &identity,
            region: &self.region,
            time: SystemTime::now(),
        }
        .headers(request.method, &url, &headers, &request.body)
        .map_err(|e| S3Error::Local(e.to_string()))?;
        let mut builder = http::Request::builder().method(request.method).uri(&url);
        for (name, value) in headers {
            builder = builder.header(name, value);
        }
        for (name, value) in &signature {
            builder = builder.header(*name, value.as_str());
        }
        let http_request = builder
            .body(SdkBody::from(request.body.clone()))
            .map_err(|e| S3Error::Local(e.to_string()))
            .and_then(|r| HttpRequest::try_from(r).map_err(|e| S3Error::Local(e.to_string())))?;
        let response = self
            .http
            .call(http_request)
            .await
            .map_err(|e| S3Error::Unreachable(e.to_string()))?;
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        let body = response.into_body();
        if (200..300).contains(&status) {
            return Ok(S3Response {
                status,
                headers,
                body,
            });
        }
        // A HEAD (or a proxy's error page) has no error document: the status alone.
        let document = read_body(body).await.unwrap_or_default();
        let (code, message) =
            super::xml::error_code_and_message(&String::from_utf8_lossy(&document));
        Err(S3Error::Service {
            status,
            code,
            message,
        })
    }
}
