//! Routes whose use case proves a patient caller in its own first write instead of
//! reading the session before it (issue 13.1, `access::proof`): an inbox page, a
//! messages page and a read receipt are then one round trip, authorization included.
//! Staff tokens and tokens of the old shape are resolved first on these routes too
//! (`http::authenticate`), since what a staff member may see depends on their membership.

use super::authenticate::{bearer_token, resolve};
use super::error::ApiError;
use super::request::header;
use super::response::HttpResult;
use crate::access::proof::SessionProof;
use crate::domain::caller::Caller;
use crate::App;
use lambda_http::Request;
use std::future::Future;

/// The routes that run with a claimed patient ([`proven`]); each passes the proof to its
/// use case, which checks it in its first write and releases nothing before.
pub const DEFERRED_ROUTES: &[&str] = &[
    "GET /v1/conversations",
    "GET /v1/conversations/{id}/messages",
    "POST /v1/conversations/{id}/read",
];

/// A caller claimed by a patient's token, attached (instead of a [`Caller`], which
/// `Caller::from_request` would hand out as proven) on a deferred route.
#[derive(Debug, Clone)]
pub struct Claimed {
    pub caller: Caller,
    pub proof: SessionProof,
}

/// Runs a deferred route: with the claimed caller and its proof for a patient's token,
/// else with the caller already resolved. When the route answers 401 with a proof (the
/// session is gone, expired, not this account's, or its hourly use is due to be
/// recorded), the caller is resolved the usual way (reading the session, recording its
/// use) and the route runs once more with that proven caller; still 401 if there is none.
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
