//! The Lambda authorizer for the app API (HTTP API, payload 2.0, simple responses).
//!
//! For every call it resolves the bearer token to a live session, and for staff re-reads
//! their membership (so a removed teammate is refused at once, and a role change applies at
//! once) and the practice's links (so handlers know which links' conversations the caller
//! may see without another round trip). API Gateway caching is off (`ReauthorizeEvery: 0`)
//! for the same reason. The result goes to handlers as the authorizer context, read by
//! `canopy_shared::http::Caller`.

use canopy_shared::adapters::dynamo::StoreError;
use canopy_shared::http::request::context_keys;
use canopy_shared::practice::{get_member, list_link_access};
use canopy_shared::services::sessions;
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

/// Decides for a raw `Authorization` header value.
pub async fn authorize(app: &App, authorization: Option<&str>) -> Result<Decision, StoreError> {
    let Some(token) = bearer_token(authorization) else {
        return Ok(Decision::Deny);
    };
    let Some(session) = sessions::resolve(app, token).await? else {
        return Ok(Decision::Deny);
    };
    let mut context = Map::new();
    context.insert(
        context_keys::ACCOUNT_ID.into(),
        json!(session.account_id.to_string()),
    );
    match session.org_id {
        None => {
            context.insert(context_keys::ROLE.into(), json!(session.role.as_str()));
            context.insert(context_keys::ORG_ID.into(), json!(""));
            context.insert(context_keys::VISIBLE_LINKS.into(), json!(""));
        }
        Some(org) => {
            let (member, links) = tokio::join!(
                get_member(app, &org, &session.account_id),
                list_link_access(app, &org)
            );
            let Some(member) = member? else {
                return Ok(Decision::Deny);
            };
            let visible: Vec<String> = links?
                .iter()
                .filter(|l| l.admits(&member.account_id))
                .map(|l| l.id.to_string())
                .collect();
            context.insert(context_keys::ROLE.into(), json!(member.role.as_str()));
            context.insert(context_keys::ORG_ID.into(), json!(org.to_string()));
            context.insert(context_keys::VISIBLE_LINKS.into(), json!(visible.join(",")));
        }
    }
    Ok(Decision::Allow(context))
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
