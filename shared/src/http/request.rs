//! Reading requests: JSON bodies (with the failing field named), path and query values,
//! and the caller identity [`super::authenticate`] attached.

use super::body::{refuse_undeclared_nulls, JsonBody};
use super::error::ApiError;
use lambda_http::request::RequestContext;
use lambda_http::{Request, RequestExt};

/// Largest JSON body any route accepts. Messages are at most 4,000 characters (up to 16 KB
/// of UTF-8), so 64 KiB leaves room for the envelope and refuses abuse early.
pub const MAX_BODY_BYTES: usize = 64 * 1024;

/// Parses a JSON body into `T`, answering 400 with the path of the failing field
/// (`participant_ids[2]: invalid type…`), an explicit `null` where `T` does not declare the
/// field nullable included ([`JsonBody`]), or 413 for oversized bodies.
pub fn json_body<T: JsonBody>(req: &Request) -> Result<T, ApiError> {
    let bytes: &[u8] = req.body().as_ref();
    if bytes.len() > MAX_BODY_BYTES {
        return Err(ApiError::new(
            413,
            "body_too_large",
            format!("The body may be at most {MAX_BODY_BYTES} bytes."),
        ));
    }
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Err(ApiError::new(
            400,
            "missing_body",
            "A JSON body is required.",
        ));
    }
    // serde fills a struct from a JSON array by position; the contract's bodies are objects.
    if bytes.iter().find(|b| !b.is_ascii_whitespace()) != Some(&b'{') {
        return Err(ApiError::new(
            400,
            "invalid_json",
            "The body must be a JSON object.",
        ));
    }
    let mut de = serde_json::Deserializer::from_slice(bytes);
    let parsed = serde_path_to_error::deserialize::<_, T>(&mut de);
    match parsed {
        Ok(value) => match de.end() {
            Ok(()) => {
                // The body parsed, so it is valid JSON: read it again as a tree for its nulls.
                let tree: serde_json::Value = serde_json::from_slice(bytes)
                    .map_err(|e| ApiError::new(400, "invalid_json", describe(&e)))?;
                refuse_undeclared_nulls::<T>(&tree)?;
                Ok(value)
            }
            Err(trailing) => Err(ApiError::new(400, "invalid_json", describe(&trailing))),
        },
        Err(err) => {
            let path = err.path().to_string();
            let problem = describe(err.inner());
            let syntax = matches!(
                err.inner().classify(),
                serde_json::error::Category::Syntax | serde_json::error::Category::Eof
            );
            let at_field = !(path == "." || path == "?" || path.is_empty());
            // serde_json reports a number where an enum's string belongs as a syntax
            // error ("expected value"); the body itself is valid JSON, so the field is wrong.
            let valid_json = || serde_json::from_slice::<serde::de::IgnoredAny>(bytes).is_ok();
            if at_field && syntax && valid_json() {
                Err(ApiError::invalid(&path, "has the wrong type or value"))
            } else if syntax || !at_field {
                Err(ApiError::new(400, "invalid_json", problem))
            } else {
                Err(ApiError::invalid(&path, problem))
            }
        }
    }
}

/// A serde_json error as a sentence without line/column noise.
fn describe(err: &serde_json::Error) -> String {
    let text = err.to_string();
    let sentence = text.split(" at line ").next().unwrap_or(&text);
    match err.classify() {
        serde_json::error::Category::Syntax | serde_json::error::Category::Eof => {
            format!("The body is not valid JSON ({sentence}).")
        }
        _ => sentence.to_string(),
    }
}

/// A path parameter declared by the route (`{id}`); absent only if the route table is wrong.
pub fn path_param<'a>(req: &'a Request, name: &str) -> Result<&'a str, ApiError> {
    req.path_parameters_ref()
        .and_then(|p| p.first(name))
        .ok_or_else(|| ApiError::not_found("route"))
}

/// A path parameter parsed as a typed id; a malformed id is simply not found.
pub fn path_id<T: std::str::FromStr>(req: &Request, name: &str, what: &str) -> Result<T, ApiError> {
    path_param(req, name)?
        .parse()
        .map_err(|_| ApiError::not_found(what))
}

pub fn query_param<'a>(req: &'a Request, name: &str) -> Option<&'a str> {
    req.query_string_parameters_ref()
        .and_then(|q| q.first(name))
}

/// `?limit=`: default 25, 1..=100, anything else is a 400.
pub fn page_limit(req: &Request) -> Result<i32, ApiError> {
    match query_param(req, "limit") {
        None => Ok(25),
        Some(raw) => match raw.parse::<i32>() {
            Ok(n) if (1..=100).contains(&n) => Ok(n),
            _ => Err(ApiError::invalid(
                "limit",
                "must be a whole number from 1 to 100",
            )),
        },
    }
}

/// `API Gateway`'s route key (`POST /v1/orgs`): what a function dispatches on.
pub fn route_key(req: &Request) -> String {
    match req.request_context_ref() {
        Some(RequestContext::ApiGatewayV2(ctx)) => ctx.route_key.clone().unwrap_or_default(),
        _ => String::new(),
    }
}

/// API Gateway's request id, for logs and audit items.
pub fn request_id(req: &Request) -> String {
    match req.request_context_ref() {
        Some(RequestContext::ApiGatewayV2(ctx)) => ctx.request_id.clone().unwrap_or_default(),
        _ => String::new(),
    }
}

/// The client's address as API Gateway saw it (used for per-address rate limits).
pub fn source_ip(req: &Request) -> Option<String> {
    match req.request_context_ref() {
        Some(RequestContext::ApiGatewayV2(ctx)) => ctx.http.source_ip.clone(),
        _ => None,
    }
}

pub fn header<'a>(req: &'a Request, name: &str) -> Option<&'a str> {
    req.headers().get(name).and_then(|v| v.to_str().ok())
}

pub use crate::domain::caller::Caller;

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;

    #[allow(dead_code)]
    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    struct Patch {
        #[serde(default)]
        label: Option<String>,
        #[serde(default)]
        active: Option<bool>,
    }

    fn request(body: &str) -> Request {
        Request::new(lambda_http::Body::from(body.to_string()))
    }

    impl JsonBody for Patch {}

    fn status_and_code<T: JsonBody + std::fmt::Debug>(body: &str) -> (u16, String) {
        let err = json_body::<T>(&request(body)).unwrap_err();
        (err.status, err.code.to_string())
    }

    #[test]
    fn json_body_refuses_an_array_for_an_object() {
        for body in [
            "[null,null]",
            " [\"Clinic Z\",\"Dr Z\",\"z@x.com\"]",
            "\"x\"",
            "1",
            "null",
        ] {
            assert_eq!(
                status_and_code::<Patch>(body),
                (400, "invalid_json".to_string()),
                "{body}"
            );
        }
        assert!(json_body::<Patch>(&request(" {\"active\": true}")).is_ok());
    }
}
