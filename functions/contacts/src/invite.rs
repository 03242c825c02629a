//! `POST /v1/invites`: parse the body, run [`canopy_shared::invites::create_invite`]
//! (conversation, invite, token, contact and audit in one transaction, then the texts),
//! answer 201 with the invite's view.

use canopy_shared::domain::ids::{ContactId, LinkId};
use canopy_shared::http::{json, json_body, request::request_id, Caller, HttpResult};
use canopy_shared::invites::{create_invite, CreateInvite, Outbox};
use canopy_shared::App;
use lambda_http::Request;
use serde::Deserialize;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Body {
    contact_id: ContactId,
    link_id: Option<LinkId>,
    subject: Option<String>,
}

/// The contract allows `null` here (as no value).
impl canopy_shared::http::JsonBody for Body {
    const NULLABLE: &'static [&'static str] = &["subject"];
}

/// Where this function's invites go out.
pub fn outbox(app: &App) -> Outbox<'_> {
    Outbox {
        sms: app.sms.as_ref(),
        email: app.email.as_ref(),
        link_base_url: &app.settings.link_base_url,
        budgets: &app.settings.invite_budgets,
    }
}

pub async fn handle(app: &App, req: &Request) -> HttpResult {
    let caller = Caller::from_request(req)?;
    // Refused before the body is read, as the contract orders the checks.
    caller.staff_org()?;
    let body: Body = json_body(req)?;
    let request = CreateInvite {
        contact_id: body.contact_id.to_string(),
        link_id: body.link_id.map(|l| l.to_string()),
        subject: body.subject,
    };
    let invite = create_invite(
        &app.store,
        &outbox(app),
        &caller,
        request,
        app.now_ms(),
        &request_id(req),
    )
    .await?;
    json(201, &invite.view())
}
