//! Authentication inside the handler: each function resolves the bearer token itself
//! ([`crate::access::authorize`]), so an app request costs one Lambda invocation and
//! its authorization one round trip (there is no API Gateway authorizer). Every route
//! needs a live session except the few in [`PUBLIC_ROUTES`]; the check runs before the
//! route, so an unauthenticated request is refused (401) before its input is even read,
//! as the authorizer did. On the few [`DEFERRED_ROUTES`] a patient's token, and a staff
//! token this process has resolved before, is not read first: the route's own write
//! proves it ([`super::deferred`]).

use super::deferred::{Claimed, DEFERRED_ROUTES};
use super::error::ApiError;
use super::request::header;
use crate::access::authorize::authorize;
use crate::access::proof::{patient_claim, staff_claim};
use crate::domain::caller::Caller;
use crate::App;
use lambda_http::Request;

/// The app API's routes that need no token (API.md marks them "(public)"); any other
/// route is refused without one. The link domain's pages are served by `link-pages`,
/// which does not authenticate.
pub const PUBLIC_ROUTES: &[&str] = &[
    "POST /v1/orgs",
    "POST /v1/auth/start",
    "POST /v1/auth/verify",
    "GET /v1/public/links/{code}",
    "POST /v1/signup/start",
    "POST /v1/signup/verify",
];

/// `Bearer <token>` → the token; anything else → `None`.
pub fn bearer_token(authorization: Option<&str>) -> Option<&str> {
    let (scheme, token) = authorization?.trim().split_once(' ')?;
    scheme.eq_ignore_ascii_case("bearer").then(|| token.trim())
}

/// For a route that is not public: resolves the caller and attaches it to the request
/// (read back with [`Caller::from_request`]); 401 without a live session and membership,
/// 503 when the store cannot answer (fail closed).
pub async fn authenticate(app: &App, req: &mut Request, route: &str) -> Result<(), ApiError> {
    if PUBLIC_ROUTES.contains(&route) {
        return Ok(());
    }
    let token = bearer_token(header(req, "authorization")).ok_or_else(ApiError::unauthorized)?;
    if DEFERRED_ROUTES.contains(&route) {
        let now = app.now_ms();
        if let Some((caller, proof)) = patient_claim(token, now).or_else(|| staff_claim(token, now))
        {
            req.extensions_mut().insert(Claimed { caller, proof });
            return Ok(());
        }
    }
    let caller = resolve(app, token).await?;
    req.extensions_mut().insert(caller);
    Ok(())
}

/// The caller behind `token`, read now (`access::authorize`): 401 without a live session
/// and membership, 503 when the store cannot answer (fail closed).
pub async fn resolve(app: &App, token: &str) -> Result<Caller, ApiError> {
    match authorize(&app.store, token, app.now_ms()).await {
        Ok(Some(caller)) => Ok(caller),
        Ok(None) => Err(ApiError::unauthorized()),
        Err(err) => {
            tracing::error!(error = %err, "the caller could not be resolved; refusing");
            Err(ApiError::unavailable())
        }
    }
}

impl Caller {
    /// The caller [`authenticate`] attached; 401 when there is none (a public route, or a
    /// caller only claimed on a deferred route: see [`super::deferred::proven`]).
    pub fn from_request(req: &Request) -> Result<Self, ApiError> {
        req.extensions()
            .get::<Caller>()
            .cloned()
            .ok_or_else(ApiError::unauthorized)
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

    #[test]
    fn a_request_without_an_attached_caller_is_unauthorized() {
        let req = Request::new(lambda_http::Body::Empty);
        assert_eq!(Caller::from_request(&req).unwrap_err().status, 401);
    }
}
