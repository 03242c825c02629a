//! `POST /v1/conversations` → [`canopy_shared::conversations::create`]: staff start a
//! secure conversation (`participant_ids`) or a standard one (`contact_id` + `channel`).
//! This file checks the body's shape; the use case looks the participants up and routes it.

use crate::view;
use canopy_shared::conversations::create::{create, CreateInput, Roster};
use canopy_shared::conversations::{fields, Channel, Context, ConversationKind};
use canopy_shared::domain::ids::{ContactId, LinkId};
use canopy_shared::http::{json, json_body, request::request_id, ApiError, Caller, HttpResult};
use canopy_shared::App;
use lambda_http::Request;
use serde::Deserialize;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Body {
    kind: ConversationKind,
    #[serde(default)]
    participant_ids: Option<Vec<String>>,
    #[serde(default)]
    subject: Option<String>,
    #[serde(default)]
    link_id: Option<LinkId>,
    #[serde(default)]
    contact_id: Option<ContactId>,
    #[serde(default)]
    contact_ids: Option<Vec<String>>,
    #[serde(default)]
    channel: Option<Channel>,
}

/// The contract allows `null` here (as no value).
impl canopy_shared::http::JsonBody for Body {
    const NULLABLE: &'static [&'static str] = &["subject"];
}

pub async fn handle(app: &App, req: &Request) -> HttpResult {
    let caller = Caller::from_request(req)?;
    caller.staff_org()?;
    let body: Body = json_body(req)?;
    let subject = fields::subject(body.subject)?;
    let roster = match body.kind {
        ConversationKind::Secure => {
            if body.contact_id.is_some() || body.contact_ids.is_some() || body.channel.is_some() {
                return Err(ApiError::invalid(
                    "kind",
                    "a secure conversation takes participant_ids (contact_id and channel are for standard ones)",
                ));
            }
            Roster::Secure(body.participant_ids.unwrap_or_default())
        }
        ConversationKind::Standard => {
            let extra = body.participant_ids.iter().chain(body.contact_ids.iter());
            if extra.map(Vec::len).sum::<usize>() > 0 {
                return Err(ApiError::invalid(
                    "contact_id",
                    "a standard conversation has exactly one contact (no group SMS)",
                ));
            }
            Roster::Standard {
                contact: body
                    .contact_id
                    .ok_or_else(|| ApiError::invalid("contact_id", "is required"))?,
                channel: body
                    .channel
                    .ok_or_else(|| ApiError::invalid("channel", "must be \"sms\" or \"email\""))?,
            }
        }
    };
    let input = CreateInput {
        roster,
        subject,
        link_id: body.link_id,
    };
    let rid = request_id(req);
    let cx = Context {
        caller: &caller,
        request_id: &rid,
        clock: &*app.clock,
        proof: None,
    };
    let created = create(&app.store, &app.store, &cx, input).await?;
    json(201, &view::details(&created, &caller))
}
