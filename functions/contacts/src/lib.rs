//! The practice's address book and secure invites:
//! `POST /v1/contacts`, `GET /v1/contacts?q=`, `GET /v1/contacts/{id}`, `POST /v1/invites`,
//! `POST /v1/invites/{id}/resend`, `POST /v1/conversations/{id}/secure-invite`,
//! `POST /v1/conversations/{id}/confirm-identity`.
//! Staff only; every route is scoped to the caller's practice (another practice's ids are
//! simply not found). Each route parses, calls its use case (`canopy_shared::contacts`,
//! `canopy_shared::invites`) and maps its error (`http::errors_{contacts,invites}`).
//!
//! DynamoDB round trips per operation (counted by the integration tests):
//! - create contact: 1 (TransactWriteItems: contact + audit)
//! - get contact: 1 GetItem + 1 audit PutItem, issued concurrently
//! - search contacts: 1 Query + 1 audit PutItem, issued concurrently
//! - invite: 1 BatchGetItem (contact + practice) + 1 TransactWriteItems + 1 UpdateItem
//!   (send results)
//! - resend: 1 GetItem + 1 TransactWriteItems + 1 UpdateItem (send results)
//! - secure-invite: 1 GetItem (conversation) + the invite's 3
//! - confirm-identity: 1 GetItem (conversation) ‖ 1 GetItem (contact), then 1
//!   TransactWriteItems
//!
//! Creating routes honour an `Idempotency-Key` header (+1 conditional put before, +1 update
//! after, only when the header is sent).

mod confirm_identity;
mod create;
mod get;
mod invite;
mod list;
mod resend;
mod secure_invite;

use canopy_shared::http::{authenticated, idempotent, unknown_route};
use canopy_shared::App;
use lambda_http::{Body, Request, Response};

pub async fn handle(app: &App, req: Request) -> Response<Body> {
    authenticated(app, req, |req, route| async move {
        match route.as_str() {
            "POST /v1/contacts" => idempotent(app, &req, || create::handle(app, &req)).await,
            "GET /v1/contacts" => list::handle(app, &req).await,
            "GET /v1/contacts/{id}" => get::handle(app, &req).await,
            "POST /v1/invites" => idempotent(app, &req, || invite::handle(app, &req)).await,
            "POST /v1/invites/{id}/resend" => {
                idempotent(app, &req, || resend::handle(app, &req)).await
            }
            "POST /v1/conversations/{id}/confirm-identity" => {
                confirm_identity::handle(app, &req).await
            }
            "POST /v1/conversations/{id}/secure-invite" => {
                idempotent(app, &req, || secure_invite::handle(app, &req)).await
            }
            _ => unknown_route(),
        }
    })
    .await
}
