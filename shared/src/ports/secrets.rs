//! Deploy-time secrets read once at cold start (the one-time-code pepper): the port, so the
//! settings can be loaded from AWS Secrets Manager in AWS and locally (moto serves the same
//! API), and from a fake in unit tests.

use async_trait::async_trait;

/// Why a secret could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SecretError {
    #[error("the secret does not exist")]
    NotFound,
    #[error("the secret has no string value")]
    NotAString,
    #[error("the secret store is unavailable: {0}")]
    Unavailable(String),
}

#[async_trait]
pub trait SecretSource: Send + Sync {
    /// The current string value of the secret named by `id` (a name or an ARN).
    async fn secret_string(&self, id: &str) -> Result<String, SecretError>;
}
