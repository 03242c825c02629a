//! `POST /v1/conversations/{id}/secure-invite`: from a standard (SMS/email) conversation,
//! invite its contact to a new secure conversation: the same use case as `POST
//! /v1/invites` ([`canopy_shared::invites::invite_contact`]), routed to the standard
//! conversation's link. The pending conversation remembers the standard one, and the
//! patient's signup links the two (`secure_conversation_id` / `standard_conversation_id`).
//! Optional body `{subject?}`. One GetItem (the conversation) before the invite's round
//! trips.

use crate::invite::outbox;
use canopy_shared::conversations::ConversationKind;
use canopy_shared::domain::ids::ConversationId;
use canopy_shared::http::{
    json, json_body, path_id, request::request_id, ApiError, Caller, HttpResult,
};
use canopy_shared::invites::{invite_contact, rules, InviteSpec};
use canopy_shared::ports::conversations::ConversationStore;
use canopy_shared::App;
use lambda_http::Request;
use serde::Deserialize;

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct Body {
    subject: Option<String>,
}

/// The contract allows `null` here (as no value).
impl canopy_shared::http::JsonBody for Body {
    const NULLABLE: &'static [&'static str] = &["subject"];
}

pub async fn handle(app: &App, req: &Request) -> HttpResult {
    let caller = Caller::from_request(req)?;
    let org = caller.staff_org()?;
    let id: ConversationId = path_id(req, "id", "conversation")?;
    let body: Body = if req.body().as_ref().iter().all(u8::is_ascii_whitespace) {
        Body::default()
    } else {
        json_body(req)?
    };
    let subject = rules::subject(body.subject.as_deref())?;
    let conversation = ConversationStore::conversation(&app.store, &id)
        .await?
        .filter(|c| c.org_id == org && c.visible_to(&caller))
        .ok_or_else(|| ApiError::not_found("conversation"))?;
    if conversation.kind != ConversationKind::Standard {
        return Err(ApiError::conflict(
            "not_standard",
            "Only a standard (SMS/email) conversation can be turned into a secure invite.",
        ));
    }
    // A read-only conversation takes no write, and the invite would later link it to the
    // secure conversation; staff reactivate it first or invite through `POST /v1/invites`.
    if conversation.read_only {
        return Err(ApiError::conflict(
            "read_only",
            "This conversation is read-only; reactivate it first, or invite the contact from \
             their contact page.",
        ));
    }
    let contact = conversation
        .contact_ids
        .first()
        .ok_or_else(|| ApiError::conflict("no_contact", "This conversation has no contact."))?;
    let invite = invite_contact(
        &app.store,
        &outbox(app),
        &caller,
        contact,
        InviteSpec {
            link: conversation.link_id,
            subject,
            from_standard: Some(conversation.id),
        },
        app.now_ms(),
        &request_id(req),
    )
    .await?;
    json(201, &invite.view())
}
