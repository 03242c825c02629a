//! The Lambda authorizer for the app API (HTTP API, payload 2.0, simple responses).
//!
//! For every call it resolves the bearer token to a live session, and for staff re-reads
//! their membership (so a removed teammate is refused at once, and a role change applies at
//! once) and the practice's links (so handlers know which links' conversations the caller
//! may see without another round trip). API Gateway caching is off (`ReauthorizeEvery: 0`)
//! for the same reason. The result goes to handlers as the authorizer context, read by
//! `canopy_shared::http::Caller`.

use canopy_shared::access::authorize::authorize as caller_for;
use canopy_shared::adapters::dynamo::StoreError;
use canopy_shared::domain::caller::Caller;
use canopy_shared::http::request::context_keys;
use canopy_shared::App;
use serde_json::{json, Map, Value};

/// What API Gateway should do with the request.
#[derive(Debug, Clone, PartialEq)]
pub enum Decision {
    Allow(Map<String, Value>),
    Deny,
}

impl Decision {
    /// The simple-response shape API Gateway expects.
    pub fn to_response(&self) -> Value {
        match self {
            Decision::Allow(context) => json!({ "isAuthorized": true, "context": context }),
            Decision::Deny => json!({ "isAuthorized": false }),
        }
    }
}

/// `Bearer <token>` → the token; anything else → None.
pub fn bearer_token(header: Option<&str>) -> Option<&str> {
    let value = header?.trim();
    let (scheme, token) = value.split_once(' ')?;
    scheme.eq_ignore_ascii_case("bearer").then(|| token.trim())
}

/// Decides for a raw `Authorization` header value (the rules are
/// `canopy_shared::access::authorize`).
pub async fn authorize(app: &App, authorization: Option<&str>) -> Result<Decision, StoreError> {
    let Some(token) = bearer_token(authorization) else {
        return Ok(Decision::Deny);
    };
    Ok(match caller_for(&app.store, token, app.now_ms()).await? {
        Some(caller) => Decision::Allow(context(&caller)),
        None => Decision::Deny,
    })
}

/// The authorizer context handlers read back with `Caller::from_request`.
fn context(caller: &Caller) -> Map<String, Value> {
    let visible: Vec<String> = caller
        .visible_links
        .iter()
        .map(ToString::to_string)
        .collect();
    let org = caller.org_id.map(|o| o.to_string()).unwrap_or_default();
    let mut context = Map::new();
    context.insert(
        context_keys::ACCOUNT_ID.into(),
        json!(caller.account_id.to_string()),
    );
    context.insert(context_keys::ROLE.into(), json!(caller.role.as_str()));
    context.insert(context_keys::ORG_ID.into(), json!(org));
    context.insert(context_keys::VISIBLE_LINKS.into(), json!(visible.join(",")));
    context
}

/// The Lambda entry: reads the `authorization` header of a payload-2.0 authorizer event.
/// A store failure denies (fail closed) and is logged.
pub async fn handle_event(app: &App, event: &Value) -> Value {
    let header = event
        .get("headers")
        .and_then(|h| h.get("authorization").or_else(|| h.get("Authorization")))
        .and_then(Value::as_str);
    match authorize(app, header).await {
        Ok(decision) => decision.to_response(),
        Err(err) => {
            tracing::error!(error = %err, "authorizer could not reach the store; denying");
            Decision::Deny.to_response()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_bearer_headers_carry_tokens() {
        assert_eq!(bearer_token(Some("Bearer abc")), Some("abc"));
        assert_eq!(bearer_token(Some("bearer  abc ")), Some("abc"));
        assert_eq!(bearer_token(Some("Basic abc")), None);
        assert_eq!(bearer_token(Some("Bearer")), None);
        assert_eq!(bearer_token(None), None);
    }
}
