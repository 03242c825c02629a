//! `POST /v1/conversations/{id}/confirm-identity` `{contact_id}`: staff confirm that a
//! practice-link signup is a contact on file (see
//! [`canopy_shared::contacts::confirm_identity`]): the account is bound to that contact and
//! the conversation shows `identity: "verified"`. 200 `{conversation_id, contact_id,
//! account_id, identity}`.

use canopy_shared::contacts::confirm_identity;
use canopy_shared::domain::ids::{ContactId, ConversationId};
use canopy_shared::http::{json, json_body, path_id, request::request_id, Caller, HttpResult};
use canopy_shared::App;
use lambda_http::Request;
use serde::Deserialize;
use serde_json::json as value;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Body {
    contact_id: ContactId,
}

impl canopy_shared::http::JsonBody for Body {}

pub async fn handle(app: &App, req: &Request) -> HttpResult {
    let caller = Caller::from_request(req)?;
    caller.staff_org()?;
    let id: ConversationId = path_id(req, "id", "conversation")?;
    let body: Body = json_body(req)?;
    let confirmed = confirm_identity(
        &app.store,
        &caller,
        &id,
        &body.contact_id,
        &request_id(req),
        app.now_ms(),
    )
    .await?;
    json(
        200,
        &value!({
            "conversation_id": confirmed.conversation_id,
            "contact_id": confirmed.contact_id,
            "account_id": confirmed.account_id,
            "identity": "verified",
        }),
    )
}
