//! `POST /v1/conversations`: staff start a secure conversation (1:1 or group: patients
//! who have accounts, plus teammates) or a standard one (SMS/email with one contact).
//!
//! Reads (concurrently): the practice's links (routing + tags) and each participant
//! (contact or member). Then one TransactWriteItems: the meta, one participant row per
//! participant, the audit item.

use crate::view;
use canopy_shared::adapters::dynamo::StoreError;
use canopy_shared::contacts;
use canopy_shared::conversations::{
    creation_writes, new_conversation, Channel, ConversationKind, ConversationState,
    NewConversation, ParticipantKind, ParticipantRef,
};
use canopy_shared::domain::ids::{AccountId, ContactId, ConversationId, LinkId, OrgId};
use canopy_shared::http::{json, json_body, request::request_id, ApiError, Caller, HttpResult};
use canopy_shared::links::LinkItem;
use canopy_shared::practice;
use canopy_shared::services::audit::{self, AuditEvent};
use canopy_shared::App;
use lambda_http::Request;
use serde::Deserialize;

/// Groups are small; this also bounds the post's and PATCH's work.
const MAX_PARTICIPANTS: usize = 50;
const MAX_SUBJECT_CHARS: usize = 200;

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

pub async fn handle(app: &App, req: &Request) -> HttpResult {
    let caller = Caller::from_request(req)?;
    let org = caller.staff_org()?;
    let body: Body = json_body(req)?;
    let subject = subject(body.subject)?;
    let (participants, contact_ids, channel) = match body.kind {
        ConversationKind::Secure => {
            if body.contact_id.is_some() || body.contact_ids.is_some() || body.channel.is_some() {
                return Err(ApiError::invalid(
                    "kind",
                    "a secure conversation takes participant_ids (contact_id and channel are for standard ones)",
                ));
            }
            let ids = body.participant_ids.unwrap_or_default();
            let (refs, contacts) = secure_participants(app, &org, &ids).await?;
            (refs, contacts, None)
        }
        ConversationKind::Standard => {
            let extra = body.participant_ids.iter().chain(body.contact_ids.iter());
            if extra.map(Vec::len).sum::<usize>() > 0 {
                return Err(ApiError::invalid(
                    "contact_id",
                    "a standard conversation has exactly one contact (no group SMS)",
                ));
            }
            let contact = body
                .contact_id
                .ok_or_else(|| ApiError::invalid("contact_id", "is required"))?;
            let channel = body
                .channel
                .ok_or_else(|| ApiError::invalid("channel", "must be \"sms\" or \"email\""))?;
            let found = contacts::get(app, &org, &contact)
                .await?
                .ok_or_else(|| ApiError::invalid("contact_id", "no such contact"))?;
            let reachable = match channel {
                Channel::Sms => found.phone.is_some(),
                Channel::Email => found.email.is_some(),
            };
            if !reachable {
                return Err(ApiError::invalid(
                    "channel",
                    "the contact has no address for this channel",
                ));
            }
            (vec![], vec![contact], Some(channel))
        }
    };
    let link = routing_link(app, &caller, &org, body.link_id).await?;
    let now = app.now_ms();
    let (meta, rows) = new_conversation(
        NewConversation {
            id: ConversationId::generate(),
            org_id: org,
            kind: body.kind,
            subject,
            tags: link.as_ref().map(|l| l.tags.clone()).unwrap_or_default(),
            state: ConversationState::Active,
            identity: None,
            contact_match: None,
            link_id: link.as_ref().map(|l| l.id),
            contact_ids,
            channel,
            participants,
            created_by: Some(caller.account_id),
        },
        now,
    );
    let mut writes = creation_writes(app, &meta, &rows)?;
    writes.push(audit::in_transaction(
        app,
        &AuditEvent {
            actor: Some(&caller.account_id),
            role: Some(caller.role),
            org: Some(&org),
            action: "conversation.create",
            targets: vec![meta.id.to_string()],
            request_id: &request_id(req),
            outcome: "ok",
        },
    )?);
    app.db
        .transact_write_items()
        .set_transact_items(Some(writes))
        .send()
        .await
        .map_err(StoreError::from)?;
    json(201, &view::details(&meta, &caller))
}

fn subject(raw: Option<String>) -> Result<Option<String>, ApiError> {
    let Some(s) = raw.map(|s| s.trim().to_string()).filter(|s| !s.is_empty()) else {
        return Ok(None);
    };
    if s.chars().count() > MAX_SUBJECT_CHARS || s.chars().any(char::is_control) {
        return Err(ApiError::invalid(
            "subject",
            "must be at most 200 characters, without control characters",
        ));
    }
    Ok(Some(s))
}

/// Resolves `ct_…` (a patient contact with an account) and `acct_…` (a teammate) ids.
async fn secure_participants(
    app: &App,
    org: &OrgId,
    ids: &[String],
) -> Result<(Vec<ParticipantRef>, Vec<ContactId>), ApiError> {
    if ids.is_empty() || ids.len() > MAX_PARTICIPANTS {
        return Err(ApiError::invalid(
            "participant_ids",
            "must list 1 to 50 patients (ct_…) or teammates (acct_…)",
        ));
    }
    let lookups = ids.iter().enumerate().map(|(i, raw)| async move {
        let field = format!("participant_ids[{i}]");
        if let Ok(contact) = raw.parse::<ContactId>() {
            let found = contacts::get(app, org, &contact)
                .await?
                .ok_or_else(|| ApiError::invalid(&field, "no such contact"))?;
            let account = found.account_id.ok_or_else(|| {
                ApiError::conflict(
                    "no_account",
                    format!("{field}: the patient has no account yet; invite them first"),
                )
            })?;
            Ok::<_, ApiError>((
                ParticipantRef {
                    id: account,
                    kind: ParticipantKind::Patient,
                    name: found.name.as_str().to_string(),
                },
                Some(contact),
            ))
        } else if let Ok(account) = raw.parse::<AccountId>() {
            let member = practice::get_member(app, org, &account)
                .await?
                .ok_or_else(|| ApiError::invalid(&field, "no such teammate"))?;
            Ok((
                ParticipantRef {
                    id: account,
                    kind: ParticipantKind::Staff,
                    name: member.name.as_str().to_string(),
                },
                None,
            ))
        } else {
            Err(ApiError::invalid(&field, "must be a ct_… or acct_… id"))
        }
    });
    let mut refs: Vec<ParticipantRef> = Vec::new();
    let mut contacts = Vec::new();
    for found in futures::future::join_all(lookups).await {
        let (r, contact) = found?;
        if !refs.iter().any(|x| x.id == r.id) {
            refs.push(r);
        }
        if let Some(c) = contact {
            if !contacts.contains(&c) {
                contacts.push(c);
            }
        }
    }
    Ok((refs, contacts))
}

/// The link the conversation is routed to: the one asked for (it must be one the caller
/// sees), else the practice's only link, else the one link the caller is a listed member
/// of; otherwise none (the whole team sees it).
async fn routing_link(
    app: &App,
    caller: &Caller,
    org: &OrgId,
    asked: Option<LinkId>,
) -> Result<Option<LinkItem>, ApiError> {
    let links = canopy_shared::links::list_for_org(app, org).await?;
    if let Some(id) = asked {
        return links
            .into_iter()
            .find(|l| l.id == id && caller.sees_link(Some(&l.id)))
            .map(Some)
            .ok_or_else(|| ApiError::invalid("link_id", "no such link"));
    }
    if links.len() == 1 && caller.sees_link(Some(&links[0].id)) {
        return Ok(links.into_iter().next());
    }
    let mut mine = links
        .into_iter()
        .filter(|l| l.member_ids.contains(&caller.account_id));
    match (mine.next(), mine.next()) {
        (Some(only), None) => Ok(Some(only)),
        _ => Ok(None),
    }
}
