//! The contract's error shape: a status plus `{"error": {"code", "message"}}`.
//! Use-case error enums convert into [`ApiError`]; nothing else reaches the client, so no
//! internal name or stack trace can leak into a body.

use lambda_http::{Body, Response};
use serde_json::json;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiError {
    pub status: u16,
    pub code: &'static str,
    pub message: String,
    /// Seconds, sent as `Retry-After` with 429 and 503.
    pub retry_after: Option<u64>,
}

impl ApiError {
    pub fn new(status: u16, code: &'static str, message: impl Into<String>) -> Self {
        Self {
            status,
            code,
            message: message.into(),
            retry_after: None,
        }
    }

    /// 400 naming the offending field.
    pub fn invalid(field: &str, problem: impl std::fmt::Display) -> Self {
        Self::new(400, "invalid_field", format!("{field}: {problem}"))
    }

    pub fn unauthorized() -> Self {
        Self::new(401, "unauthorized", "A valid bearer token is required.")
    }

    pub fn forbidden(message: impl Into<String>) -> Self {
        Self::new(403, "forbidden", message)
    }

    pub fn not_found(what: &str) -> Self {
        Self::new(404, "not_found", format!("No such {what}."))
    }

    pub fn conflict(code: &'static str, message: impl Into<String>) -> Self {
        Self::new(409, code, message)
    }

    pub fn rate_limited(retry_after_secs: u64) -> Self {
        Self {
            retry_after: Some(retry_after_secs.max(1)),
            ..Self::new(429, "rate_limited", "Too many requests; try again later.")
        }
    }

    pub fn unavailable() -> Self {
        Self {
            retry_after: Some(2),
            ..Self::new(
                503,
                "service_unavailable",
                "A service we depend on is unavailable; try again shortly.",
            )
        }
    }

    /// A bug on our side. The cause is logged by the caller; the body says nothing about it.
    pub fn internal() -> Self {
        Self::new(500, "internal_error", "Something went wrong on our side.")
    }

    pub fn with_retry_after(mut self, secs: u64) -> Self {
        self.retry_after = Some(secs.max(1));
        self
    }

    pub fn into_response(self) -> Response<Body> {
        let body = json!({ "error": { "code": self.code, "message": self.message } });
        let mut builder = Response::builder()
            .status(self.status)
            .header("content-type", "application/json");
        if let Some(secs) = self.retry_after {
            builder = builder.header("retry-after", secs.to_string());
        }
        builder
            .body(Body::Text(body.to_string()))
            .unwrap_or_else(|_| Response::new(Body::Empty))
    }
}

impl From<crate::adapters::dynamo::StoreError> for ApiError {
    fn from(err: crate::adapters::dynamo::StoreError) -> Self {
        use crate::adapters::dynamo::StoreError;
        match err {
            StoreError::Unavailable | StoreError::Conflict => ApiError::unavailable(),
            StoreError::SessionRefused => ApiError::unauthorized(),
            other => {
                tracing::error!(error = %other, "store error");
                ApiError::internal()
            }
        }
    }
}

impl From<crate::domain::caller::NotAllowed> for ApiError {
    fn from(e: crate::domain::caller::NotAllowed) -> Self {
        ApiError::forbidden(e.to_string())
    }
}
