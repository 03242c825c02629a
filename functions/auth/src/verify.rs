//! `POST /v1/auth/verify`: a proven code → a session. Completes a practice signup (the
//! practice, its owner and the session are created in one transaction) or a sign-in.

use crate::create_org::OrgSignup;
use crate::start::Login;
use crate::{PURPOSE_LOGIN, PURPOSE_ORG_SIGNUP};
use aws_sdk_dynamodb::types::{ConditionCheck, Delete, TransactWriteItem, Update};
use canopy_shared::adapters::dynamo::{self, keys, put, to_item, StoreError};
use canopy_shared::domain::ids::{AccountId, ChallengeId, OrgId};
use canopy_shared::domain::role::Role;
use canopy_shared::http::{json, json_body, request::request_id, ApiError, HttpResult};
use canopy_shared::practice::{
    get_account, get_member, AccountItem, AccountKind, LoginItem, MemberItem, MemberStatus,
    OrgItem, StaffInviteItem,
};
use canopy_shared::services::audit::{self, AuditEvent};
use canopy_shared::services::otp::{self, ChallengeItem, CheckError};
use canopy_shared::services::sessions;
use canopy_shared::App;
use lambda_http::Request;
use serde::Deserialize;
use serde_json::json;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Body {
    challenge_id: String,
    code: Option<String>,
}

pub async fn handle(app: &App, req: &Request) -> HttpResult {
    let body: Body = json_body(req)?;
    let challenge: ChallengeId = body
        .challenge_id
        .parse()
        .map_err(|_| ApiError::invalid("challenge_id", "not a challenge id"))?;
    let item = otp::check(
        app,
        &challenge,
        &[PURPOSE_ORG_SIGNUP, PURPOSE_LOGIN],
        &[("code", body.code.as_deref())],
    )
    .await?;
    let request_id = request_id(req);
    if item.purpose == PURPOSE_ORG_SIGNUP {
        complete_org_signup(app, &item, &request_id).await
    } else {
        complete_login(app, &item, &request_id).await
    }
}

/// Runs a transaction that starts with the challenge's consuming items, mapping a cancelled
/// challenge to its error and every other cancellation to `other`.
async fn commit(
    app: &App,
    item: &ChallengeItem,
    writes: Vec<TransactWriteItem>,
    other: impl Fn(&StoreError) -> Option<ApiError>,
) -> Result<(), ApiError> {
    let result = app
        .db
        .transact_write_items()
        .set_transact_items(Some(writes))
        .send()
        .await;
    match result.map_err(StoreError::from) {
        Ok(_) => Ok(()),
        Err(err) => {
            if let Some(challenge_err) = otp::consume_failure(item, &err) {
                return Err(challenge_err.into());
            }
            Err(other(&err).unwrap_or_else(|| err.into()))
        }
    }
}

async fn complete_org_signup(app: &App, item: &ChallengeItem, request_id: &str) -> HttpResult {
    let signup: OrgSignup =
        serde_json::from_str(&item.payload).map_err(|_| ApiError::internal())?;
    let now = app.now_ms();
    let org = OrgId::generate();
    let owner = AccountId::generate();
    let org_item = OrgItem {
        pk: keys::org_pk(&org),
        sk: keys::ORG_META_SK.into(),
        id: org,
        name: signup.practice_name.clone(),
        owner_count: 1,
        created_at: now,
    };
    let account = AccountItem {
        pk: keys::account_pk(&owner),
        sk: keys::PROFILE_SK.into(),
        id: owner,
        kind: AccountKind::Staff,
        name: signup.owner_name.clone(),
        email: Some(signup.owner_email.clone()),
        phone: None,
        org_id: Some(org),
        created_at: now,
    };
    let member = MemberItem::new(
        &org,
        &owner,
        signup.owner_name.clone(),
        signup.owner_email.clone(),
        Role::Owner,
        MemberStatus::Active,
        now,
    );
    let login = LoginItem {
        pk: keys::staff_email_login_pk(&signup.owner_email),
        sk: keys::LOGIN_SK.into(),
        account_id: owner,
    };
    let (token, session) = sessions::issue(app, &owner, Role::Owner, Some(&org))?;
    let mut writes = otp::consume(app, item)?;
    let login_index = writes.len() + 3;
    writes.extend([
        put(
            app.table(),
            to_item(&org_item)?,
            Some("attribute_not_exists(pk)"),
        )?,
        put(
            app.table(),
            to_item(&account)?,
            Some("attribute_not_exists(pk)"),
        )?,
        put(
            app.table(),
            to_item(&member)?,
            Some("attribute_not_exists(pk)"),
        )?,
        put(
            app.table(),
            to_item(&login)?,
            Some("attribute_not_exists(pk)"),
        )?,
        session,
        audit::in_transaction(
            app,
            &AuditEvent {
                actor: Some(&owner),
                role: Some(Role::Owner),
                org: Some(&org),
                action: "org.create",
                targets: vec![org.to_string(), owner.to_string()],
                request_id,
                outcome: "ok",
            },
        )?,
    ]);
    commit(app, item, writes, |err| {
        err.failed_at(login_index).then(|| {
            ApiError::conflict(
                "email_taken",
                "This email already belongs to a practice's staff; sign in instead.",
            )
        })
    })
    .await?;
    json(
        200,
        &json!({
            "token": token,
            "account": { "id": owner, "name": signup.owner_name, "role": Role::Owner, "org_id": org },
        }),
    )
}

async fn complete_login(app: &App, item: &ChallengeItem, request_id: &str) -> HttpResult {
    let login: Login = serde_json::from_str(&item.payload).map_err(|_| ApiError::internal())?;
    if let (None, Some(invite)) = (login.account_id, login.claim) {
        return complete_claim(app, item, &invite, request_id).await;
    }
    // A challenge for an unknown address was never delivered, so no code can be right.
    let Some(account_id) = login.account_id else {
        return Err(CheckError::WrongCode { attempts_left: 0 }.into());
    };
    let account = get_account(app, &account_id)
        .await?
        .ok_or_else(ApiError::unauthorized)?;
    let (role, org) = match (account.kind, account.org_id) {
        (AccountKind::Staff, Some(org)) => {
            let member = get_member(app, &org, &account_id).await?.ok_or_else(|| {
                ApiError::forbidden("This account is no longer a member of its practice.")
            })?;
            (member.role, Some(org))
        }
        _ => (Role::Patient, None),
    };
    let (token, session) = sessions::issue(app, &account_id, role, org.as_ref())?;
    let mut writes = otp::consume(app, item)?;
    let member_index = writes.len();
    if let Some(org) = &org {
        // The member must still exist when the session is created.
        let check = ConditionCheck::builder()
            .table_name(app.table())
            .set_key(Some(dynamo::key(
                keys::org_pk(org),
                keys::member_sk(&account_id),
            )))
            .condition_expression("attribute_exists(pk)")
            .build()
            .map_err(|_| ApiError::internal())?;
        writes.push(TransactWriteItem::builder().condition_check(check).build());
    }
    writes.push(session);
    writes.push(audit::in_transaction(
        app,
        &AuditEvent {
            actor: Some(&account_id),
            role: Some(role),
            org: org.as_ref(),
            action: "session.create",
            targets: vec![account_id.to_string()],
            request_id,
            outcome: "ok",
        },
    )?);
    commit(app, item, writes, |err| {
        (org.is_some() && err.failed_at(member_index))
            .then(|| ApiError::forbidden("This account is no longer a member of its practice."))
    })
    .await?;
    json(
        200,
        &json!({
            "token": token,
            "account": { "id": account_id, "name": account.name, "role": role, "org_id": org },
        }),
    )
}

/// An invited teammate's first sign-in: the code proved the email, so the email becomes
/// their staff login (unless another practice's teammate claimed it first), the membership
/// becomes active and the invitation is used up, with the session, in one transaction.
async fn complete_claim(
    app: &App,
    item: &ChallengeItem,
    invite: &StaffInviteItem,
    request_id: &str,
) -> HttpResult {
    let no_longer = || ApiError::forbidden("This invitation is no longer valid.");
    let member = get_member(app, &invite.org_id, &invite.account_id)
        .await?
        .filter(|m| m.status == MemberStatus::Invited)
        .ok_or_else(no_longer)?;
    let account_id = invite.account_id;
    let org = invite.org_id;
    let login = LoginItem {
        pk: keys::staff_email_login_pk(&member.email),
        sk: keys::LOGIN_SK.into(),
        account_id,
    };
    let bad = |_| ApiError::internal();
    let activate = Update::builder()
        .table_name(app.table())
        .set_key(Some(dynamo::key(
            keys::org_pk(&org),
            keys::member_sk(&account_id),
        )))
        .update_expression("SET #status = :active")
        .condition_expression("#status = :invited")
        .expression_attribute_names("#status", "status")
        .expression_attribute_values(":active", dynamo::s("active"))
        .expression_attribute_values(":invited", dynamo::s("invited"))
        .build()
        .map_err(bad)?;
    let used = Delete::builder()
        .table_name(app.table())
        .set_key(Some(dynamo::key(invite.pk.clone(), invite.sk.clone())))
        .condition_expression("#account = :a")
        .expression_attribute_names("#account", "account_id")
        .expression_attribute_values(":a", dynamo::s(account_id.to_string()))
        .build()
        .map_err(bad)?;
    let (token, session) = sessions::issue(app, &account_id, member.role, Some(&org))?;
    let mut writes = otp::consume(app, item)?;
    let login_index = writes.len();
    writes.extend([
        put(
            app.table(),
            to_item(&login)?,
            Some("attribute_not_exists(pk)"),
        )?,
        TransactWriteItem::builder().update(activate).build(),
        TransactWriteItem::builder().delete(used).build(),
        session,
        audit::in_transaction(
            app,
            &AuditEvent {
                actor: Some(&account_id),
                role: Some(member.role),
                org: Some(&org),
                action: "member.join",
                targets: vec![account_id.to_string()],
                request_id,
                outcome: "ok",
            },
        )?,
    ]);
    commit(app, item, writes, |err| {
        if err.failed_at(login_index) {
            Some(ApiError::conflict(
                "email_taken",
                "This email already signs in to another practice's team.",
            ))
        } else if err.failed_at(login_index + 1) || err.failed_at(login_index + 2) {
            Some(no_longer())
        } else {
            None
        }
    })
    .await?;
    json(
        200,
        &json!({
            "token": token,
            "account": { "id": account_id, "name": member.name, "role": member.role, "org_id": org },
        }),
    )
}
