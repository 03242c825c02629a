//! Routes whose use case proves its caller in its own first write instead of reading the
//! session before it (issue 13.1, `access::proof`): a post, an inbox page, a messages
//! page and a read receipt are then one round trip, authorization included. A patient's
//! token is claimed as it names itself; a staff token only once this process has
//! resolved it by reading (`access::proven_staff`): the first request of a staff token in
//! a process, and the first after its proof is refused (a teammate removed, a session
//! ended, a role or link membership changed, the hourly use due), reads first.
//! Tokens of the old shape are always resolved first.

use super::authenticate::{bearer_token, resolve};
use super::error::ApiError;
use super::request::header;
use super::response::HttpResult;
use crate::access::proof::SessionProof;
use crate::domain::caller::Caller;
use crate::App;
use lambda_http::Request;
use std::future::Future;

/// The routes that run with a claimed caller ([`proven`]); each passes the proof to its
/// use case, which checks it in its first write and releases nothing before.
pub const DEFERRED_ROUTES: &[&str] = &[
    "POST /v1/conversations/{id}/messages",
    "GET /v1/conversations",
    "GET /v1/conversations/{id}/messages",
    "POST /v1/conversations/{id}/read",
];

/// A caller claimed by a patient's token or a remembered staff token, attached (instead of a [`Caller`], which
/// `Caller::from_request` would hand out as proven) on a deferred route.
#[derive(Debug, Clone)]
pub struct Claimed {
    pub caller: Caller,
    pub proof: SessionProof,
}

/// Runs a deferred route: with the claimed caller and its proof when there is a claim,
/// else with the caller already resolved. When the route answers 401 with a proof (the
/// session is gone, expired, not this account's, or its hourly use is due to be
/// recorded; for staff also: the membership is gone or has another role, or the
/// practice's access version moved), the caller is resolved the usual way (reading the
/// session, membership and practice, recording the use, remembering the staff caller
/// anew) and the route runs once more with that proven caller; still 401 if there is
/// none. A refused proof wrote nothing (the whole transaction is cancelled), so the
/// second run is the request's only effect.
pub async fn proven<F, Fut>(app: &App, req: &Request, route: F) -> HttpResult
where
    F: Fn(Caller, Option<SessionProof>) -> Fut,
    Fut: Future<Output = HttpResult>,
{
    let Some(claimed) = req.extensions().get::<Claimed>().cloned() else {
        return route(Caller::from_request(req)?, None).await;
    };
    match route(claimed.caller, Some(claimed.proof)).await {
        Err(refused) if refused.status == 401 => {
            let token =
                bearer_token(header(req, "authorization")).ok_or_else(ApiError::unauthorized)?;
            route(resolve(app, token).await?, None).await
        }
        answered => answered,
    }
}

/// The proven caller of a deferred route that must know it before its first write (a
/// post with attachments prepares them in S3 first): the one already resolved, or the
/// claimed one resolved now by reading.
pub async fn resolved(app: &App, req: &Request) -> Result<Caller, ApiError> {
    if req.extensions().get::<Claimed>().is_none() {
        return Caller::from_request(req);
    }
    let token = bearer_token(header(req, "authorization")).ok_or_else(ApiError::unauthorized)?;
    resolve(app, token).await
}
