//! SigV4 for S3, with `aws-sigv4` (the signer the SDK itself uses): the headers of a request
//! Canopy sends, and the query of a presigned URL a client sends.
//!
//! S3 differs from other services in three ways, all set here: the path is encoded once
//! (not twice), it is never normalised (`a/../b` is a key), and a header-signed request
//! carries `x-amz-content-sha256`. A presigned URL signs `UNSIGNED-PAYLOAD` (the client's
//! bytes are unknown when it is signed); the headers it signs must then be sent as signed.
//! `tests_signing.rs` checks both against AWS's published examples.

use aws_sigv4::http_request::{
    sign, PayloadChecksumKind, PercentEncodingMode, SignableBody, SignableRequest,
    SignatureLocation, SigningParams, SigningSettings, UriPathNormalizationMode,
};
use aws_sigv4::sign::v4;
use aws_smithy_runtime_api::client::identity::Identity;
use std::time::{Duration, SystemTime};

/// A request could not be signed (a malformed URL or header: a bug, not an outage).
#[derive(Debug, thiserror::Error)]
#[error("signing: {0}")]
pub struct SignError(pub String);

/// Who signs, where and when.
pub struct Signer<'a> {
    pub identity: &'a Identity,
    pub region: &'a str,
    pub time: SystemTime,
}

impl Signer<'_> {
    /// The headers to add to a request whose body is `payload`: `authorization`,
    /// `x-amz-date`, `x-amz-content-sha256` and, with temporary credentials,
    /// `x-amz-security-token`. Every header in `headers` is signed.
    pub fn headers(
        &self,
        method: &str,
        url: &str,
        headers: &[(&str, &str)],
        payload: &[u8],
    ) -> Result<Vec<(&'static str, String)>, SignError> {
        let mut settings = s3_settings();
        settings.payload_checksum_kind = PayloadChecksumKind::XAmzSha256;
        let params = self.params(settings)?;
        let request = SignableRequest::new(
            method,
            url,
            headers.iter().copied(),
            SignableBody::Bytes(payload),
        )
        .map_err(fail)?;
        let (instructions, _signature) = sign(request, &params).map_err(fail)?.into_parts();
        let (added, _query) = instructions.into_parts();
        Ok(added
            .into_iter()
            .map(|h| (h.name(), h.value().to_string()))
            .collect())
    }

    /// `url` with the signature in its query, valid for `expires_in` from the signing time.
    /// The client must send every header in `headers`, with the same values.
    pub fn presign(
        &self,
        method: &str,
        url: &str,
        headers: &[(&str, &str)],
        expires_in: Duration,
    ) -> Result<String, SignError> {
        let mut settings = s3_settings();
        settings.signature_location = SignatureLocation::QueryParams;
        settings.expires_in = Some(expires_in);
        let params = self.params(settings)?;
        let request = SignableRequest::new(
            method,
            url,
            headers.iter().copied(),
            SignableBody::UnsignedPayload,
        )
        .map_err(fail)?;
        let (instructions, _signature) = sign(request, &params).map_err(fail)?.into_parts();
        let mut request = http::Request::builder()
            .method(method)
            .uri(url)
            .body(())
            .map_err(fail)?;
        instructions.apply_to_request_http1x(&mut request);
        Ok(request.uri().to_string())
    }

    fn params(&self, settings: SigningSettings) -> Result<SigningParams<'_>, SignError> {
        Ok(v4::SigningParams::builder()
            .identity(self.identity)
            .region(self.region)
            .name("s3")
            .time(self.time)
            .settings(settings)
            .build()
            .map_err(fail)?
            .into())
    }
}

/// S3's canonical request: the path as sent (encoded once, not normalised).
fn s3_settings() -> SigningSettings {
    let mut settings = SigningSettings::default();
    settings.percent_encoding_mode = PercentEncodingMode::Single;
    settings.uri_path_normalization_mode = UriPathNormalizationMode::Disabled;
    settings
}

fn fail(e: impl std::fmt::Display) -> SignError {
    SignError(e.to_string())
}

/// `value` percent-encoded as SigV4 and S3 expect: the unreserved characters of RFC 3986
/// stay, and so does `/` when `keep_slash` (an object key's path).
pub fn uri_encode(value: &str, keep_slash: bool) -> String {
    let mut out = String::with_capacity(value.len());
    for byte in value.bytes() {
        match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                out.push(byte as char)
            }
            b'/' if keep_slash => out.push('/'),
            _ => out.push_str(&format!("%{byte:02X}")),
        }
    }
    out
}
