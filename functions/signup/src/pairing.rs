//! Pairing a verified patient with a practice: ONE TransactWriteItems that consumes the
//! challenge and writes the account (unless it exists), the practice's patient record, the
//! conversation and its participant row, the link's signup counter (link) or the invite's
//! acceptance (invite), the contact, the session and the audit item. A cancelled
//! transaction leaves nothing behind; lost races (two signups of one new phone at once)
//! are retried once from the start.

use crate::patient::{get_pairing, upsert_patient, PairingItem};
use crate::start::{invite_gone, Signup, Via};
use aws_sdk_dynamodb::types::{AttributeValue, TransactWriteItem, Update};
use canopy_shared::adapters::dynamo::contacts::{contact_key, ContactItem};
use canopy_shared::adapters::dynamo::{self, keys, n, put, s, to_item, StoreError};
use canopy_shared::contacts::{contact_match, Contact};
use canopy_shared::conversations::{
    self, creation_writes, new_conversation, ConversationItem, ConversationKind, ConversationState,
    Identity, NewConversation, ParticipantItem, ParticipantKind, ParticipantRef,
};
use canopy_shared::domain::contact_info::DisplayName;
use canopy_shared::domain::ids::{AccountId, ContactId, ConversationId, OrgId};
use canopy_shared::domain::role::Role;
use canopy_shared::http::{json, ApiError, HttpResult};
use canopy_shared::invites::TokenState;
use canopy_shared::ports::contacts::ContactStore;
use canopy_shared::ports::invites::InviteStore;
use canopy_shared::practice::{get_account, get_login, AccountItem, AccountKind, LoginItem};
use canopy_shared::services::audit::{self, AuditEvent};
use canopy_shared::services::otp::{self, ChallengeItem};
use canopy_shared::services::sessions;
use canopy_shared::App;
use serde_json::json;

/// Either an answer, or "someone else just wrote what we meant to create: start over".
enum Attempt {
    Done(HttpResult),
    Race,
}

/// The patient as pairing sees them: an existing account, or one to create.
struct Patient {
    id: AccountId,
    name: DisplayName,
    existing: bool,
}

async fn patient(
    app: &App,
    signup: &Signup,
    login: Option<LoginItem>,
) -> Result<Patient, ApiError> {
    match login {
        Some(login) => {
            let account = get_account(app, &login.account_id)
                .await?
                .ok_or_else(ApiError::internal)?;
            Ok(Patient {
                id: account.id,
                name: account.name,
                existing: true,
            })
        }
        None => Ok(Patient {
            id: AccountId::generate(),
            name: signup.name.clone(),
            existing: false,
        }),
    }
}

/// The account and its phone login, for a new patient (both `attribute_not_exists`).
fn account_writes(
    app: &App,
    signup: &Signup,
    p: &Patient,
    now: i64,
) -> Result<Vec<TransactWriteItem>, StoreError> {
    if p.existing {
        return Ok(vec![]);
    }
    let account = AccountItem {
        pk: keys::account_pk(&p.id),
        sk: keys::PROFILE_SK.into(),
        id: p.id,
        kind: AccountKind::Patient,
        name: p.name.clone(),
        email: signup.email.clone(),
        phone: Some(signup.phone.clone()),
        org_id: None,
        created_at: now,
    };
    let login = LoginItem {
        pk: keys::patient_phone_login_pk(&signup.phone),
        sk: keys::LOGIN_SK.into(),
        account_id: p.id,
    };
    Ok(vec![
        put(
            app.table(),
            to_item(&account)?,
            Some("attribute_not_exists(pk)"),
        )?,
        put(
            app.table(),
            to_item(&login)?,
            Some("attribute_not_exists(pk)"),
        )?,
    ])
}

fn update(
    app: &App,
    key: dynamo::Item,
    expression: &str,
    condition: &str,
    names: &[(&str, &str)],
    values: Vec<(&str, AttributeValue)>,
) -> Result<TransactWriteItem, StoreError> {
    let mut builder = Update::builder()
        .table_name(app.table())
        .set_key(Some(key))
        .update_expression(expression)
        .condition_expression(condition);
    for (k, v) in names {
        builder = builder.expression_attribute_names(*k, *v);
    }
    for (k, v) in values {
        builder = builder.expression_attribute_values(k, v);
    }
    let built = builder
        .build()
        .map_err(|e| StoreError::Other(e.to_string()))?;
    Ok(TransactWriteItem::builder().update(built).build())
}

/// Runs the pairing transaction. `refusal` maps a failed item index to an answer; `None`
/// for a failed index means a lost race.
async fn commit(
    app: &App,
    challenge: &ChallengeItem,
    writes: Vec<TransactWriteItem>,
    race_at: &[usize],
    refusal: impl Fn(&StoreError) -> Option<ApiError>,
) -> Result<bool, ApiError> {
    let result = app
        .db
        .transact_write_items()
        .set_transact_items(Some(writes))
        .send()
        .await
        .map_err(StoreError::from);
    match result {
        Ok(_) => Ok(true),
        Err(err) => {
            if let Some(e) = otp::consume_failure(challenge, &err) {
                return Err(e.into());
            }
            if let Some(e) = refusal(&err) {
                return Err(e);
            }
            if race_at.iter().any(|i| err.failed_at(*i)) || err == StoreError::Conflict {
                return Ok(false);
            }
            Err(err.into())
        }
    }
}

fn answer(
    token: &str,
    p: &Patient,
    signup: &Signup,
    org: &OrgId,
    conversation: &ConversationId,
) -> HttpResult {
    json(
        200,
        &json!({
            "token": token,
            "account": { "id": p.id, "name": p.name, "phone": signup.phone.as_str() },
            "org_id": org,
            "conversation_id": conversation,
        }),
    )
}

fn audit_item(
    app: &App,
    p: &Patient,
    org: &OrgId,
    action: &'static str,
    targets: Vec<String>,
    request_id: &str,
) -> Result<TransactWriteItem, StoreError> {
    audit::in_transaction(
        app,
        &AuditEvent {
            actor: Some(&p.id),
            role: Some(Role::Patient),
            org: Some(org),
            action,
            targets,
            request_id,
            outcome: "ok",
        },
    )
}

// ---- via a practice link ----------------------------------------------------------------

/// Pairs a verified signup with its practice (through a link or an invite). An attempt that
/// lost a race with a concurrent signup of the same phone is tried once more.
pub async fn pair(
    app: &App,
    challenge: &ChallengeItem,
    signup: &Signup,
    request_id: &str,
) -> HttpResult {
    for _ in 0..2 {
        let attempt = match signup.via {
            Via::Link { .. } => link_attempt(app, challenge, signup, request_id).await?,
            Via::Invite { .. } => invite_attempt(app, challenge, signup, request_id).await?,
        };
        if let Attempt::Done(result) = attempt {
            return result;
        }
    }
    Err(StoreError::Conflict.into())
}

async fn link_attempt(
    app: &App,
    challenge: &ChallengeItem,
    signup: &Signup,
    request_id: &str,
) -> Result<Attempt, ApiError> {
    let Via::Link {
        org_id,
        link_id,
        code,
        tags,
    } = &signup.via
    else {
        return Err(ApiError::internal());
    };
    let by_email = async {
        match &signup.email {
            Some(e) => app.store.contacts_with_email(org_id, e).await,
            None => Ok(vec![]),
        }
    };
    let (login, by_phone, by_email) = tokio::join!(
        get_login(app, keys::patient_phone_login_pk(&signup.phone)),
        app.store.contacts_with_phone(org_id, &signup.phone),
        by_email
    );
    let mut candidates = by_phone?;
    for c in by_email? {
        if !candidates.iter().any(|k| k.id == c.id) {
            candidates.push(c);
        }
    }
    let login = login?;
    let (p, pairing) = match &login {
        Some(l) => {
            let (p, pairing) = tokio::join!(
                patient(app, signup, login.clone()),
                get_pairing(app, org_id, &l.account_id, link_id)
            );
            (p?, pairing?)
        }
        None => (patient(app, signup, None).await?, None),
    };
    let (token, session) = sessions::issue(app, &p.id, Role::Patient, None)?;
    if let Some(pairing) = pairing {
        // Signed up through this link before: same conversation, a new session.
        let mut writes = otp::consume(app, challenge)?;
        writes.push(session);
        writes.push(audit_item(
            app,
            &p,
            org_id,
            "signup.repeat",
            vec![p.id.to_string(), pairing.conversation_id.to_string()],
            request_id,
        )?);
        commit(app, challenge, writes, &[], |_| None).await?;
        return Ok(Attempt::Done(answer(
            &token,
            &p,
            signup,
            org_id,
            &pairing.conversation_id,
        )));
    }

    let now = app.now_ms();
    let (matched, on_file) = contact_match(&candidates, &signup.phone, signup.email.as_ref());
    let conversation_id = ConversationId::generate();
    // Never merge an unverified signup into a record that differs: only an exact match on
    // BOTH a phone and an email on file joins the contact on file. A phone-only match is
    // not enough (numbers are recycled: the new owner of a former patient's number must
    // not inherit that patient's record); such a patient is added to the address book as
    // a new contact and the practice sees `contact_match` to confirm and merge.
    let (contact_id, contact_write) = match on_file.filter(|c| c.email.is_some()) {
        Some(c) => (
            c.id,
            link_contact(app, org_id, &c.id, &p.id, &conversation_id)?,
        ),
        None => {
            let mut c = Contact::new(
                org_id,
                ContactId::generate(),
                p.name.clone(),
                Some(signup.phone.clone()),
                signup.email.clone(),
                now,
            );
            c.account_id = Some(p.id);
            c.conversation_ids = vec![conversation_id];
            (
                c.id,
                put(
                    app.table(),
                    to_item(&ContactItem::from(&c))?,
                    Some("attribute_not_exists(pk)"),
                )?,
            )
        }
    };
    let who = ParticipantRef {
        id: p.id,
        kind: ParticipantKind::Patient,
        name: p.name.as_str().to_string(),
    };
    let (meta, rows) = new_conversation(
        NewConversation {
            id: conversation_id,
            org_id: *org_id,
            kind: ConversationKind::Secure,
            subject: None,
            tags: tags.clone(),
            state: ConversationState::Active,
            identity: Some(Identity::Unverified),
            contact_match: Some(matched),
            link_id: Some(*link_id),
            contact_ids: vec![contact_id],
            channel: None,
            participants: vec![who],
            created_by: Some(p.id),
        },
        now,
    );
    let pairing = PairingItem {
        pk: keys::link_pairing_pk(org_id, &p.id, link_id),
        sk: keys::PAIRING_SK.into(),
        org_id: *org_id,
        account_id: p.id,
        link_id: *link_id,
        contact_id,
        conversation_id,
        created_at: now,
    };

    let mut writes = otp::consume(app, challenge)?;
    let mut races = Vec::new();
    let accounts = account_writes(app, signup, &p, now)?;
    if !accounts.is_empty() {
        races.extend([writes.len(), writes.len() + 1]);
    }
    writes.extend(accounts);
    let link_index = writes.len();
    writes.push(update(
        app,
        dynamo::key(keys::code_pk(code), keys::CODE_SK),
        "ADD #signups :one",
        "#active = :yes AND #id = :link",
        &[
            ("#signups", "signups"),
            ("#active", "active"),
            ("#id", "id"),
        ],
        vec![
            (":one", n(1)),
            (":yes", AttributeValue::Bool(true)),
            (":link", s(link_id.to_string())),
        ],
    )?);
    writes.push(upsert_patient(app, org_id, &p.id, &contact_id, now)?);
    writes.extend(creation_writes(app, &meta, &rows)?);
    races.push(writes.len());
    writes.push(contact_write);
    races.push(writes.len());
    writes.push(put(
        app.table(),
        to_item(&pairing)?,
        Some("attribute_not_exists(pk)"),
    )?);
    writes.push(session);
    writes.push(audit_item(
        app,
        &p,
        org_id,
        "signup.pair",
        vec![
            p.id.to_string(),
            conversation_id.to_string(),
            contact_id.to_string(),
            link_id.to_string(),
        ],
        request_id,
    )?);
    let done = commit(app, challenge, writes, &races, |err| {
        err.failed_at(link_index)
            .then(|| ApiError::not_found("link"))
    })
    .await?;
    Ok(if done {
        Attempt::Done(answer(&token, &p, signup, org_id, &conversation_id))
    } else {
        Attempt::Race
    })
}

/// The contact on file gains the account and the new conversation (unless it already
/// belongs to another account: a race, retried).
fn link_contact(
    app: &App,
    org: &OrgId,
    contact: &ContactId,
    account: &AccountId,
    conversation: &ConversationId,
) -> Result<TransactWriteItem, StoreError> {
    update(
        app,
        contact_key(org, contact),
        "SET #account = :a, #convs = list_append(if_not_exists(#convs, :empty), :conv)",
        "attribute_exists(pk) AND (attribute_not_exists(#account) OR #account = :a)",
        &[("#account", "account_id"), ("#convs", "conversation_ids")],
        vec![
            (":a", s(account.to_string())),
            (":empty", AttributeValue::L(vec![])),
            (
                ":conv",
                AttributeValue::L(vec![s(conversation.to_string())]),
            ),
        ],
    )
}

// ---- via an invite ----------------------------------------------------------------------

async fn invite_attempt(
    app: &App,
    challenge: &ChallengeItem,
    signup: &Signup,
    request_id: &str,
) -> Result<Attempt, ApiError> {
    let Via::Invite {
        org_id,
        invite_id,
        token_hash,
        contact_id,
        conversation_id,
    } = &signup.via
    else {
        return Err(ApiError::internal());
    };
    let token_item = app.store.token(token_hash);
    let (login, token_item, meta) = tokio::join!(
        get_login(app, keys::patient_phone_login_pk(&signup.phone)),
        token_item,
        conversations::get(app, conversation_id)
    );
    let now = app.now_ms();
    token_item?
        .filter(|t| t.state(now) == TokenState::Usable)
        .ok_or_else(invite_gone)?;
    let meta = meta?
        .filter(|m| m.state == ConversationState::PendingAccount)
        .ok_or_else(invite_gone)?;
    let p = patient(app, signup, login?).await?;
    let who = ParticipantRef {
        id: p.id,
        kind: ParticipantKind::Patient,
        name: p.name.as_str().to_string(),
    };
    let mut active = meta.clone();
    active.state = ConversationState::Active;
    active.identity = Some(Identity::Verified);
    active.participants.push(who.clone());
    active.participant_ids.push(p.id);
    let row = ParticipantItem::for_conversation(&active, &who, now);
    let who_value = serde_dynamo::to_attribute_value(vec![who])
        .map_err(|e| StoreError::Corrupt(e.to_string()))?;
    let (token, session) = sessions::issue(app, &p.id, Role::Patient, None)?;

    let mut writes = otp::consume(app, challenge)?;
    let mut races = Vec::new();
    let accounts = account_writes(app, signup, &p, now)?;
    if !accounts.is_empty() {
        races.extend([writes.len(), writes.len() + 1]);
    }
    writes.extend(accounts);
    let first_invite_item = writes.len();
    writes.push(update(
        app,
        dynamo::key(keys::invite_token_pk(token_hash), keys::INVITE_TOKEN_SK),
        "SET #status = :accepted",
        "#status = :pending AND #expires_at > :now",
        &[("#status", "status"), ("#expires_at", "expires_at")],
        vec![
            (":accepted", s("accepted")),
            (":pending", s("pending")),
            (":now", n(now)),
        ],
    )?);
    writes.push(update(
        app,
        dynamo::key(keys::org_pk(org_id), keys::invite_sk(invite_id)),
        "SET #status = :accepted, #accepted_at = :now, #account = :a",
        "#status = :pending AND #token_hash = :h",
        &[
            ("#status", "status"),
            ("#accepted_at", "accepted_at"),
            ("#account", "account_id"),
            ("#token_hash", "token_hash"),
        ],
        vec![
            (":accepted", s("accepted")),
            (":pending", s("pending")),
            (":now", n(now)),
            (":a", s(p.id.to_string())),
            (":h", s(token_hash.clone())),
        ],
    )?);
    writes.push(update(
        app,
        ConversationItem::key_for(conversation_id),
        // `participant_ids` mirrors `participants` for the post's `contains(#pids, :me)`.
        "SET #state = :active, #identity = :verified, #participants = list_append(if_not_exists(#participants, :empty), :who), #pids = list_append(if_not_exists(#pids, :empty), :pid)",
        "#state = :pending",
        &[
            ("#state", "state"),
            ("#identity", "identity"),
            ("#participants", "participants"),
            ("#pids", "participant_ids"),
        ],
        vec![
            (":active", s("active")),
            (":verified", s("verified")),
            (":pending", s("pending_account")),
            (":empty", AttributeValue::L(vec![])),
            (":who", who_value),
            (":pid", AttributeValue::L(vec![s(p.id.to_string())])),
        ],
    )?);
    let last_invite_item = writes.len() - 1;
    writes.push(put(
        app.table(),
        to_item(&row)?,
        Some("attribute_not_exists(pk)"),
    )?);
    let contact_index = writes.len();
    writes.push(update(
        app,
        contact_key(org_id, contact_id),
        "SET #account = :a",
        "attribute_exists(pk) AND (attribute_not_exists(#account) OR #account = :a)",
        &[("#account", "account_id")],
        vec![(":a", s(p.id.to_string()))],
    )?);
    writes.push(upsert_patient(app, org_id, &p.id, contact_id, now)?);
    writes.push(session);
    writes.push(audit_item(
        app,
        &p,
        org_id,
        "signup.accept_invite",
        vec![
            p.id.to_string(),
            invite_id.to_string(),
            conversation_id.to_string(),
            contact_id.to_string(),
        ],
        request_id,
    )?);
    let done = commit(app, challenge, writes, &races, |err| {
        if (first_invite_item..=last_invite_item + 1).any(|i| err.failed_at(i)) {
            Some(invite_gone())
        } else if err.failed_at(contact_index) {
            Some(ApiError::conflict(
                "contact_has_account",
                "This invite's contact already belongs to another account.",
            ))
        } else {
            None
        }
    })
    .await?;
    Ok(if done {
        Attempt::Done(answer(&token, &p, signup, org_id, conversation_id))
    } else {
        Attempt::Race
    })
}
