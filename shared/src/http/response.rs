//! Building responses.

use super::error::ApiError;
use lambda_http::{Body, Response};
use serde::Serialize;

pub type HttpResult = Result<Response<Body>, ApiError>;

/// A JSON response with the given status.
pub fn json<T: Serialize>(status: u16, value: &T) -> HttpResult {
    let body = serde_json::to_string(value).map_err(|_| ApiError::internal())?;
    Response::builder()
        .status(status)
        .header("content-type", "application/json")
        .body(Body::Text(body))
        .map_err(|_| ApiError::internal())
}

pub fn no_content() -> HttpResult {
    Response::builder()
        .status(204)
        .body(Body::Empty)
        .map_err(|_| ApiError::internal())
}

/// The list envelope of API.md: `{"items": [...], "next_cursor": "…"|null}`.
#[derive(Debug, Serialize)]
pub struct Page<T: Serialize> {
    pub items: Vec<T>,
    pub next_cursor: Option<String>,
}
