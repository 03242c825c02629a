//! AWS Secrets Manager behind [`SecretSource`]: one `GetSecretValue` per secret, at cold
//! start. The local stack points it at moto with `AWS_ENDPOINT_URL_SECRETSMANAGER`
//! (scripts/stack.sh creates the secret there), so the local path is the deployed one.
//!
//! The call is signed here (SigV4, `aws-sigv4`) and sent over the shared TLS connector
//! rather than by `aws-sdk-secretsmanager`: building that SDK client parsed the SDK crate's
//! own copy of the endpoint-partition tables on the cold start's main thread (callgrind:
//! auth's main thread went from 6.24M to 5.08M instructions without it), for one call a
//! cold start. The protocol is AWS JSON 1.1: a `POST /` naming
//! the operation in `X-Amz-Target`, errors named by `__type`.

use crate::adapters::https::LazyConnector;
use crate::adapters::signed_call::{self, CallPolicy, Failure};
use crate::ports::secrets::{SecretError, SecretSource};
use async_trait::async_trait;
use aws_config::SdkConfig;
use aws_sigv4::http_request::{sign, SignableBody, SignableRequest, SigningSettings};
use aws_sigv4::sign::v4;
use aws_smithy_runtime_api::client::http::HttpConnector;
use aws_smithy_runtime_api::client::orchestrator::HttpRequest;
use aws_smithy_types::body::SdkBody;
use aws_smithy_types::byte_stream::ByteStream;
use std::time::{Duration, SystemTime};

const SERVICE: &str = "secretsmanager";
const GET_SECRET_VALUE: &str = "secretsmanager.GetSecretValue";
const JSON_1_1: &str = "application/x-amz-json-1.1";

pub struct SecretsManager {
    /// Built at the first call, with the configuration's timeouts: its TLS set-up (the
    /// roots parsed, ~1M instructions) then happens in the pepper's background read, not on
    /// the cold start's main thread.
    http: LazyConnector,
    /// Credentials (read anew for each attempt), and the connector's settings.
    sdk: SdkConfig,
    region: String,
    /// `https://secretsmanager.{region}.amazonaws.com`, or the configured endpoint.
    endpoint: String,
    policy: CallPolicy,
}

/// Why one attempt failed.
#[derive(Debug)]
enum CallError {
    /// No answer (timeout, refused or broken connection).
    Unreachable,
    /// The service answered with an error status; `code` from `__type`.
    Service { status: u16, code: Option<String> },
    /// Nothing was sent: no credentials, or a request that could not be signed.
    Local(String),
}

impl Failure for CallError {
    fn is_transient(&self) -> bool {
        match self {
            CallError::Unreachable => true,
            CallError::Service { status, code } => {
                matches!(status, 429 | 500 | 502 | 503 | 504)
                    || matches!(
                        code.as_deref(),
                        Some(
                            "ThrottlingException"
                                | "Throttling"
                                | "TooManyRequestsException"
                                | "RequestLimitExceeded"
                                | "InternalServiceError"
                        )
                    )
            }
            CallError::Local(_) => false,
        }
    }

    fn timed_out(_: Duration) -> Self {
        CallError::Unreachable
    }
}

impl From<CallError> for SecretError {
    /// The error's kind only: never the request, which names the secret.
    fn from(err: CallError) -> Self {
        match err {
            CallError::Service { code, .. } if code.as_deref() == Some(NOT_FOUND) => {
                SecretError::NotFound
            }
            CallError::Service { status, code } => {
                SecretError::Unavailable(code.unwrap_or_else(|| format!("HTTP {status}")))
            }
            CallError::Unreachable => SecretError::Unavailable("no answer".into()),
            CallError::Local(reason) => SecretError::Unavailable(reason),
        }
    }
}

const NOT_FOUND: &str = "ResourceNotFoundException";

impl SecretsManager {
    /// Credentials, region, timeouts and retries from the SDK configuration; the endpoint
    /// from `AWS_ENDPOINT_URL_SECRETSMANAGER`, else `AWS_ENDPOINT_URL`, else AWS's.
    pub fn from_sdk(sdk: &SdkConfig) -> Self {
        let region = signed_call::region(sdk);
        let endpoint = signed_call::configured_endpoint(sdk, "SECRETSMANAGER")
            .unwrap_or_else(|| format!("https://{SERVICE}.{region}.amazonaws.com"));
        Self {
            http: LazyConnector::new(sdk),
            sdk: sdk.clone(),
            region,
            endpoint,
            policy: CallPolicy::from_sdk(sdk),
        }
    }

    /// This client with `endpoint` in place of the configured one.
    pub fn with_endpoint(mut self, endpoint: impl Into<String>) -> Self {
        self.endpoint = endpoint.into().trim_end_matches('/').to_string();
        self
    }

    async fn get_secret_value(&self, body: &[u8]) -> Result<Vec<u8>, CallError> {
        let identity = signed_call::identity(self.sdk.credentials_provider().as_ref())
            .await
            .map_err(CallError::Local)?;
        let url = format!("{}/", self.endpoint);
        let headers = [
            ("content-type", JSON_1_1),
            ("x-amz-target", GET_SECRET_VALUE),
        ];
        let params = v4::SigningParams::builder()
            .identity(&identity)
            .region(&self.region)
            .name(SERVICE)
            .time(SystemTime::now())
            .settings(SigningSettings::default())
            .build()
            .map_err(local)?
            .into();
        let signable = SignableRequest::new(
            "POST",
            &url,
            headers.iter().copied(),
            SignableBody::Bytes(body),
        )
        .map_err(local)?;
        let (instructions, _) = sign(signable, &params).map_err(local)?.into_parts();
        let mut request = http::Request::builder()
            .method("POST")
            .uri(&url)
            .body(SdkBody::from(body.to_vec()))
            .map_err(local)?;
        for (name, value) in headers {
            request
                .headers_mut()
                .insert(name, http::HeaderValue::from_static(value));
        }
        instructions.apply_to_request_http1x(&mut request);
        let request = HttpRequest::try_from(request).map_err(local)?;
        let response = self
            .http
            .call(request)
            .await
            .map_err(|_| CallError::Unreachable)?;
        let status = response.status().as_u16();
        let error_type = response
            .headers()
            .get("x-amzn-errortype")
            .map(str::to_string);
        let body = ByteStream::new(response.into_body())
            .collect()
            .await
            .map_err(|_| CallError::Unreachable)?
            .into_bytes()
            .to_vec();
        if (200..300).contains(&status) {
            return Ok(body);
        }
        let code = error_code(&body).or_else(|| error_type.as_deref().map(short_code));
        Err(CallError::Service { status, code })
    }
}

fn local(e: impl std::fmt::Display) -> CallError {
    CallError::Local(format!("signing: {e}"))
}

/// The error's name from an AWS JSON error document's `__type` (`ResourceNotFoundException`,
/// also written `com.amazonaws.secretsmanager#ResourceNotFoundException`).
fn error_code(document: &[u8]) -> Option<String> {
    #[derive(serde::Deserialize)]
    struct ErrorDocument {
        #[serde(rename = "__type")]
        kind: Option<String>,
    }
    let document: ErrorDocument = serde_json::from_slice(document).ok()?;
    document.kind.as_deref().map(short_code)
}

/// `ns#Name:detail` → `Name`, as the SDKs read error names.
fn short_code(raw: &str) -> String {
    let name = raw.rsplit('#').next().unwrap_or(raw);
    name.split(':').next().unwrap_or(name).trim().to_string()
}

#[async_trait]
impl SecretSource for SecretsManager {
    async fn secret_string(&self, id: &str) -> Result<String, SecretError> {
        #[derive(serde::Deserialize)]
        struct Answer {
            #[serde(rename = "SecretString")]
            secret_string: Option<String>,
        }
        let body = serde_json::to_vec(&serde_json::json!({ "SecretId": id }))
            .map_err(|e| SecretError::Unavailable(e.to_string()))?;
        let answer = self
            .policy
            .run(|| self.get_secret_value(&body))
            .await
            .map_err(SecretError::from)?;
        let answer: Answer = serde_json::from_slice(&answer)
            .map_err(|_| SecretError::Unavailable("an unreadable answer".into()))?;
        answer.secret_string.ok_or(SecretError::NotAString)
    }
}

#[cfg(test)]
mod tests;
