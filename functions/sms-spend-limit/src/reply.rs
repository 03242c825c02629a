//! The reply CloudFormation waits for: a JSON document PUT to the request's presigned
//! `ResponseURL` (an S3 object URL). Its body has no PHI: a status, the ids CloudFormation
//! sent, a reason on failure, and the limit that was set.

use async_trait::async_trait;
use http_body_util::{BodyExt, Full};
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;
use rustls::pki_types::{pem::PemObject, CertificateDer};
use serde_json::{json, Value};

pub enum Outcome {
    Success(Value),
    Failed(String),
}

/// The response document (CloudFormation's custom-resource response fields).
pub fn body(outcome: &Outcome, stack_id: &str, request_id: &str, logical_id: &str) -> Value {
    let (status, reason, data) = match outcome {
        Outcome::Success(data) => ("SUCCESS", "set", data.clone()),
        Outcome::Failed(reason) => ("FAILED", reason.as_str(), json!({})),
    };
    json!({
        "Status": status,
        "Reason": reason,
        "PhysicalResourceId": crate::PHYSICAL_ID,
        "StackId": stack_id,
        "RequestId": request_id,
        "LogicalResourceId": logical_id,
        "Data": data,
    })
}

#[async_trait]
pub trait Replier: Send + Sync {
    /// Delivers `body` to CloudFormation at `url`.
    async fn reply(&self, url: &str, body: &Value) -> Result<(), String>;
}

/// The roots S3's certificates chain to: the same compiled-in AWS roots as every SDK client
/// (`canopy_shared::app::https_client`).
const AWS_ROOTS: &[u8] = include_bytes!("../../../shared/certs/aws-roots.pem");

/// PUTs the reply over HTTPS (plain HTTP too, for a local response URL).
pub struct HttpsReplier {
    client: Client<
        hyper_rustls::HttpsConnector<hyper_util::client::legacy::connect::HttpConnector>,
        Full<bytes::Bytes>,
    >,
}

impl HttpsReplier {
    pub fn new() -> Self {
        let mut roots = rustls::RootCertStore::empty();
        for cert in CertificateDer::pem_slice_iter(AWS_ROOTS) {
            roots
                .add(cert.expect("the compiled-in roots are valid PEM"))
                .expect("the compiled-in roots are valid certificates");
        }
        let provider = std::sync::Arc::new(rustls::crypto::ring::default_provider());
        let tls = rustls::ClientConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .expect("ring supports TLS 1.2 and 1.3")
            .with_root_certificates(roots)
            .with_no_client_auth();
        let https = hyper_rustls::HttpsConnectorBuilder::new()
            .with_tls_config(tls)
            .https_or_http()
            .enable_http1()
            .build();
        Self {
            client: Client::builder(TokioExecutor::new()).build(https),
        }
    }
}

impl Default for HttpsReplier {
    fn default() -> Self {
        Self::new()
    }
}

#[async_trait]
impl Replier for HttpsReplier {
    async fn reply(&self, url: &str, body: &Value) -> Result<(), String> {
        let bytes = bytes::Bytes::from(body.to_string());
        // The presigned URL was signed without a content type: send an empty one.
        let request = http::Request::put(url)
            .header("content-type", "")
            .header("content-length", bytes.len())
            .body(Full::new(bytes))
            .map_err(|e| format!("bad response URL: {e}"))?;
        let response = self
            .client
            .request(request)
            .await
            .map_err(|e| format!("reply not delivered: {e}"))?;
        let status = response.status();
        // Read the answer to the end so the connection is released cleanly.
        let _ = response.into_body().collect().await;
        if status.is_success() {
            Ok(())
        } else {
            Err(format!("reply refused: HTTP {status}"))
        }
    }
}
