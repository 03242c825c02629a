//! `POST /v1/invites`: invite a contact to a new secure conversation.
//!
//! One BatchGetItem reads the contact and the practice (for its name); one
//! TransactWriteItems creates the conversation (state `pending_account`), the invite record,
//! the token item (`INVITE#sha256(token)`: the plaintext token only ever leaves in the
//! texts), marks the contact invited and lists the conversation on it, and writes the audit
//! item. Then the texts go out and their outcomes are recorded (one UpdateItem).

use crate::send;
use aws_sdk_dynamodb::types::{AttributeValue, TransactWriteItem, Update};
use canopy_shared::adapters::dynamo::contacts::{contact_key, ContactItem};
use canopy_shared::adapters::dynamo::{self, keys, put, s, to_item, StoreError};
use canopy_shared::contacts::Contact;
use canopy_shared::conversations::{
    creation_writes, new_conversation, ConversationKind, ConversationState, NewConversation,
};
use canopy_shared::domain::ids::{ContactId, ConversationId, InviteId, LinkId, OrgId};
use canopy_shared::domain::secrets::{new_token, token_hash};
use canopy_shared::http::{json, json_body, request::request_id, ApiError, Caller, HttpResult};
use canopy_shared::invites::{InviteItem, InviteStatus, SendResults, INVITE_LIFETIME_MS};
use canopy_shared::practice::OrgItem;
use canopy_shared::services::audit::{self, AuditEvent};
use canopy_shared::App;
use lambda_http::Request;
use serde::Deserialize;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Body {
    contact_id: String,
    link_id: Option<String>,
    subject: Option<String>,
}

pub async fn handle(app: &App, req: &Request) -> HttpResult {
    let caller = Caller::from_request(req)?;
    let org = caller.staff_org()?;
    let body: Body = json_body(req)?;
    // A malformed id is as unknown as another practice's.
    let contact: ContactId = body
        .contact_id
        .parse()
        .map_err(|_| ApiError::not_found("contact"))?;
    let link = parse_link(&caller, body.link_id.as_deref())?;
    let subject = parse_subject(body.subject.as_deref())?;
    create(app, req, &caller, &org, &contact, link, subject).await
}

/// `link_id` must be one of the links the caller sees (their practice's, open to them);
/// anything else is not found.
pub fn parse_link(caller: &Caller, raw: Option<&str>) -> Result<Option<LinkId>, ApiError> {
    raw.map(|raw| {
        raw.parse::<LinkId>()
            .ok()
            .filter(|l| caller.visible_links.contains(l))
            .ok_or_else(|| ApiError::not_found("link"))
    })
    .transpose()
}

pub fn parse_subject(raw: Option<&str>) -> Result<Option<String>, ApiError> {
    let Some(subject) = raw.map(str::trim).filter(|s| !s.is_empty()) else {
        return Ok(None);
    };
    if subject.chars().count() > 200 || subject.chars().any(char::is_control) {
        return Err(ApiError::invalid(
            "subject",
            "at most 200 characters without control characters",
        ));
    }
    Ok(Some(subject.to_string()))
}

/// The invite flow shared by `POST /v1/invites` and the secure-invite of a standard
/// conversation.
pub async fn create(
    app: &App,
    req: &Request,
    caller: &Caller,
    org: &OrgId,
    contact_id: &ContactId,
    link: Option<LinkId>,
    subject: Option<String>,
) -> HttpResult {
    let (contact, practice) = read_contact_and_practice(app, org, contact_id).await?;
    let contact = contact.ok_or_else(|| ApiError::not_found("contact"))?;
    let practice = practice.ok_or_else(|| ApiError::not_found("contact"))?;
    if contact.account_id.is_some() {
        return Err(ApiError::conflict(
            "has_account",
            "This patient already has an account; start a secure conversation with them instead.",
        ));
    }
    let now = app.now_ms();
    let token = new_token();
    let hash = token_hash(&token);
    let conversation_id = ConversationId::generate();
    let (meta, rows) = new_conversation(
        NewConversation {
            id: conversation_id,
            org_id: *org,
            kind: ConversationKind::Secure,
            subject,
            tags: Vec::new(),
            state: ConversationState::PendingAccount,
            identity: None,
            contact_match: None,
            link_id: link,
            contact_ids: vec![contact.id],
            channel: None,
            participants: Vec::new(),
            created_by: Some(caller.account_id),
        },
        now,
    );
    let invite_id = InviteId::generate();
    let invite = InviteItem {
        pk: keys::org_pk(org),
        sk: keys::invite_sk(&invite_id),
        id: invite_id,
        org_id: *org,
        practice_name: practice.name.as_str().to_string(),
        contact_id: contact.id,
        conversation_id,
        link_id: link,
        phone: contact.phone.clone(),
        email: contact.email.clone(),
        status: InviteStatus::Pending,
        token_hash: hash.clone(),
        expires_at: now + INVITE_LIFETIME_MS,
        sends: SendResults::default(),
        resends: Vec::new(),
        created_at: now,
        created_by: caller.account_id,
        accepted_at: None,
        account_id: None,
    };
    let mut writes = vec![mark_invited(app, &contact, &conversation_id, now)?];
    writes.extend(creation_writes(app, &meta, &rows)?);
    writes.push(put(
        app.table(),
        to_item(&invite)?,
        Some("attribute_not_exists(pk)"),
    )?);
    writes.push(put(
        app.table(),
        to_item(&invite.token_item(&hash))?,
        Some("attribute_not_exists(pk)"),
    )?);
    writes.push(audit::in_transaction(
        app,
        &AuditEvent {
            actor: Some(&caller.account_id),
            role: Some(caller.role),
            org: Some(org),
            action: "invite.create",
            targets: vec![
                invite.id.to_string(),
                contact.id.to_string(),
                conversation_id.to_string(),
            ],
            request_id: &request_id(req),
            outcome: "ok",
        },
    )?);
    let committed = app
        .db
        .transact_write_items()
        .set_transact_items(Some(writes))
        .send()
        .await
        .map_err(StoreError::from);
    match committed {
        Ok(_) => {}
        Err(err) if err.failed_at(0) => return Err(ApiError::conflict(
            "has_account",
            "This patient already has an account; start a secure conversation with them instead.",
        )),
        Err(err) => return Err(err.into()),
    }
    let sends = send::deliver(app, &invite, &token).await;
    send::record(app, &invite, &sends).await;
    json(201, &InviteItem { sends, ..invite }.view())
}

/// Contact: invited now, the new conversation listed; only while it has no account.
fn mark_invited(
    app: &App,
    contact: &Contact,
    conversation: &ConversationId,
    now: i64,
) -> Result<TransactWriteItem, StoreError> {
    let update = Update::builder()
        .table_name(app.table())
        .set_key(Some(contact_key(&contact.org_id, &contact.id)))
        .update_expression(
            "SET #invited_at = :now, #convs = list_append(if_not_exists(#convs, :empty), :conv)",
        )
        .condition_expression("attribute_exists(pk) AND attribute_not_exists(#account)")
        .expression_attribute_names("#invited_at", "invited_at")
        .expression_attribute_names("#convs", "conversation_ids")
        .expression_attribute_names("#account", "account_id")
        .expression_attribute_values(":now", dynamo::n(now))
        .expression_attribute_values(":empty", AttributeValue::L(vec![]))
        .expression_attribute_values(
            ":conv",
            AttributeValue::L(vec![s(conversation.to_string())]),
        )
        .build()
        .map_err(|e| StoreError::Other(e.to_string()))?;
    Ok(TransactWriteItem::builder().update(update).build())
}

/// The contact and the practice in one BatchGetItem (strongly consistent).
async fn read_contact_and_practice(
    app: &App,
    org: &OrgId,
    contact: &ContactId,
) -> Result<(Option<Contact>, Option<OrgItem>), StoreError> {
    let wanted = vec![
        contact_key(org, contact),
        dynamo::key(keys::org_pk(org), keys::ORG_META_SK),
    ];
    let items = dynamo::batch_get(&app.db, app.table(), wanted, true).await?;
    let (mut found_contact, mut found_org) = (None, None);
    for item in items {
        if dynamo::get_s(&item, "sk") == Some(keys::ORG_META_SK) {
            found_org = Some(dynamo::from_item(item)?);
        } else {
            found_contact = Some(dynamo::from_item::<ContactItem>(item)?.into());
        }
    }
    Ok((found_contact, found_org))
}
