//! AWS Secrets Manager behind [`SecretSource`]: one `GetSecretValue` per secret, at cold
//! start. The local stack points it at moto with `AWS_ENDPOINT_URL_SECRETSMANAGER`
//! (scripts/stack.sh creates the secret there), so the local path is the deployed one.

use crate::ports::secrets::{SecretError, SecretSource};
use async_trait::async_trait;
use aws_config::SdkConfig;

pub struct SecretsManager {
    client: aws_sdk_secretsmanager::Client,
}

impl SecretsManager {
    /// A client from the SDK configuration, with the standard endpoint override applied.
    pub fn from_sdk(sdk: &SdkConfig) -> Self {
        let mut config = aws_sdk_secretsmanager::config::Builder::from(sdk);
        if let Some(url) = crate::app::endpoint_override("SECRETSMANAGER") {
            config = config.endpoint_url(url);
        }
        Self {
            client: aws_sdk_secretsmanager::Client::from_conf(config.build()),
        }
    }
}

#[async_trait]
impl SecretSource for SecretsManager {
    async fn secret_string(&self, id: &str) -> Result<String, SecretError> {
        let out = self
            .client
            .get_secret_value()
            .secret_id(id)
            .send()
            .await
            .map_err(|e| {
                let service = e.as_service_error();
                if service.is_some_and(|s| s.is_resource_not_found_exception()) {
                    SecretError::NotFound
                } else {
                    // The error's kind only: never the request, which names the secret.
                    SecretError::Unavailable(
                        service
                            .and_then(|s| s.meta().code())
                            .unwrap_or("no answer")
                            .to_string(),
                    )
                }
            })?;
        out.secret_string.ok_or(SecretError::NotAString)
    }
}
