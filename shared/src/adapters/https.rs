//! The one TLS stack every AWS call uses (rustls on `ring`, the compiled-in AWS roots), and
//! when its connectors are built.
//!
//! A connector's set-up is the costly part of a cold start's TLS: the roots are parsed from
//! PEM (`rustls_pki_types` decodes base64 in constant time, ~1 M instructions for the five
//! roots) and a rustls configuration is made. So a connector is built once, when the first
//! call needs it, and kept: the SDK's HTTP client caches its own per timeout settings, and
//! a hand-signed client ([`LazyConnector`]) keeps one for all its calls.

use aws_config::SdkConfig;
use aws_smithy_runtime_api::box_error::BoxError;
use aws_smithy_runtime_api::client::http::{
    HttpClient, HttpConnector, HttpConnectorSettings, SharedHttpClient, SharedHttpConnector,
};
use aws_smithy_runtime_api::client::runtime_components::{
    RuntimeComponents, RuntimeComponentsBuilder,
};
use aws_smithy_runtime_api::shared::IntoShared;
use aws_smithy_types::config_bag::ConfigBag;
use std::sync::{Arc, OnceLock};

/// The roots AWS service endpoints chain to (Amazon Root CA 1–4 and the Starfield Services
/// G2 cross-sign, as Amazon Trust Services publishes them), compiled in.
const AWS_ROOTS: &[u8] = include_bytes!("../../certs/aws-roots.pem");

/// The one HTTP client every AWS SDK client shares: rustls on `ring`, trusting the compiled-in
/// AWS roots only. Reading the platform store instead (the SDK's default) parses ~150
/// certificates from disk on a cold start's first request; `aws-lc-rs` (the default crypto)
/// would be a second crypto library in every binary. Plain `http://` endpoints (the local
/// stack) still work. Connections are pooled per client and reused across invocations.
pub fn https_client() -> SharedHttpClient {
    ConnectorAtFirstCall(hyper_client()).into_shared()
}

/// The SDK's own hyper client on this TLS stack, as it comes (see [`ConnectorAtFirstCall`]).
fn hyper_client() -> SharedHttpClient {
    aws_smithy_http_client::Builder::new()
        .tls_provider(tls_provider())
        .tls_context(aws_tls_context())
        .build_https()
}

/// An SDK HTTP client whose connector is built at the first call only, never when an SDK
/// client is built.
///
/// The SDK's hyper client builds a connector in `validate_base_client_config`, which every
/// `Client::from_conf` calls, and drops it: that warms the platform root store's cache, but
/// with compiled-in roots nothing is cached, so each SDK client built at cold start parsed
/// the roots and made a rustls configuration for nothing, and the first call then built the
/// connector it keeps anyway. Everything else is the wrapped client's.
#[derive(Debug)]
pub struct ConnectorAtFirstCall(pub SharedHttpClient);

impl HttpClient for ConnectorAtFirstCall {
    fn http_connector(
        &self,
        settings: &HttpConnectorSettings,
        components: &RuntimeComponents,
    ) -> SharedHttpConnector {
        self.0.http_connector(settings, components)
    }

    /// Nothing to check before a call: the wrapped client's check is the throwaway
    /// connector this type exists to skip.
    fn validate_base_client_config(
        &self,
        _: &RuntimeComponentsBuilder,
        _: &ConfigBag,
    ) -> Result<(), BoxError> {
        Ok(())
    }

    fn validate_final_config(
        &self,
        components: &RuntimeComponents,
        cfg: &ConfigBag,
    ) -> Result<(), BoxError> {
        self.0.validate_final_config(components, cfg)
    }

    fn connector_metadata(
        &self,
    ) -> Option<aws_smithy_runtime_api::client::connector_metadata::ConnectorMetadata> {
        self.0.connector_metadata()
    }
}

/// The same TLS stack as [`https_client`] as one pooled connector, for the requests Canopy
/// signs itself (`adapters::s3`, `adapters::secrets_manager`), with the SDK configuration's
/// connect and read timeouts. Built now: see [`LazyConnector`] for one built when needed.
pub fn https_connector(sdk: &SdkConfig) -> SharedHttpConnector {
    let timeouts = sdk.timeout_config();
    let mut settings = HttpConnectorSettings::builder();
    settings
        .set_connect_timeout(timeouts.and_then(|t| t.connect_timeout()))
        .set_read_timeout(timeouts.and_then(|t| t.read_timeout()));
    let settings = settings.build();
    let mut builder = aws_smithy_http_client::Connector::builder().connector_settings(settings);
    builder.set_sleep_impl(sdk.sleep_impl());
    SharedHttpConnector::new(
        builder
            .tls_provider(tls_provider())
            .tls_context(aws_tls_context())
            .build(),
    )
}

/// A hand-signed client's connector ([`https_connector`]), built at its first call and then
/// shared by every clone: a function that builds an S3 client at cold start but serves
/// requests without attachments never pays for its TLS set-up.
#[derive(Clone, Debug)]
pub struct LazyConnector {
    sdk: SdkConfig,
    built: Arc<OnceLock<SharedHttpConnector>>,
}

impl LazyConnector {
    pub fn new(sdk: &SdkConfig) -> Self {
        Self {
            sdk: sdk.clone(),
            built: Arc::default(),
        }
    }

    /// The connector, built now if no call has needed it yet.
    pub fn get(&self) -> &SharedHttpConnector {
        self.built.get_or_init(|| https_connector(&self.sdk))
    }

    /// Whether a call has built the connector yet.
    pub fn is_built(&self) -> bool {
        self.built.get().is_some()
    }
}

impl HttpConnector for LazyConnector {
    fn call(
        &self,
        request: aws_smithy_runtime_api::client::orchestrator::HttpRequest,
    ) -> aws_smithy_runtime_api::client::http::HttpConnectorFuture {
        self.get().call(request)
    }
}

fn tls_provider() -> aws_smithy_http_client::tls::Provider {
    use aws_smithy_http_client::tls::{rustls_provider::CryptoMode, Provider};
    Provider::Rustls(CryptoMode::Ring)
}

/// Trust the compiled-in AWS roots only.
fn aws_tls_context() -> aws_smithy_http_client::tls::TlsContext {
    use aws_smithy_http_client::tls::{TlsContext, TrustStore};
    let trust = TrustStore::empty()
        .with_native_roots(false)
        .with_pem_certificate(AWS_ROOTS);
    TlsContext::builder()
        .with_trust_store(trust)
        .build()
        .expect("the compiled-in roots are valid PEM")
}

#[cfg(test)]
mod tests;
