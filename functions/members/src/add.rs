//! `POST /v1/members`: an owner or admin adds a teammate, who then signs in with
//! `/v1/auth/start` and their email. The teammate is `invited` until their first code
//! proves the email; only then does the email become a staff login (one staff account per
//! email). Adding never touches the global login alias, so it reveals nothing about other
//! practices' staff and cannot reserve someone else's address.

use canopy_shared::adapters::dynamo::{keys, put, to_item, StoreError};
use canopy_shared::domain::contact_info::{DisplayName, EmailAddress};
use canopy_shared::domain::ids::AccountId;
use canopy_shared::domain::role::Role;
use canopy_shared::http::{json, json_body, request::request_id, ApiError, Caller, HttpResult};
use canopy_shared::practice::{
    get_login, get_member, AccountItem, AccountKind, MemberItem, MemberStatus, StaffInviteItem,
};
use canopy_shared::services::audit::{self, AuditEvent};
use canopy_shared::App;
use lambda_http::Request;
use serde::Deserialize;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Body {
    name: String,
    email: String,
    role: String,
}

pub async fn handle(app: &App, req: &Request) -> HttpResult {
    let caller = Caller::from_request(req)?;
    let org = caller.managing_org()?;
    let body: Body = json_body(req)?;
    let name = DisplayName::parse(&body.name).map_err(|e| ApiError::invalid("name", e))?;
    let email = EmailAddress::parse(&body.email).map_err(|e| ApiError::invalid("email", e))?;
    let role = match body.role.as_str() {
        "admin" => Role::Admin,
        "member" => Role::Member,
        _ => return Err(ApiError::invalid("role", "must be \"admin\" or \"member\"")),
    };
    let now = app.now_ms();
    let account = AccountId::generate();
    if let Some(login) = get_login(app, keys::staff_email_login_pk(&email)).await? {
        if get_member(app, &org, &login.account_id).await?.is_some() {
            return Err(ApiError::conflict(
                "already_member",
                "This email already belongs to a member of this practice.",
            ));
        }
    }
    let member = MemberItem::new(
        &org,
        &account,
        name.clone(),
        email.clone(),
        role,
        MemberStatus::Invited,
        now,
    );
    let profile = AccountItem {
        pk: keys::account_pk(&account),
        sk: keys::PROFILE_SK.into(),
        id: account,
        kind: AccountKind::Staff,
        name,
        email: Some(email.clone()),
        phone: None,
        org_id: Some(org),
        created_at: now,
    };
    let invite = StaffInviteItem::new(&email, &org, &account, now);
    let writes = vec![
        put(
            app.table(),
            to_item(&invite)?,
            Some("attribute_not_exists(pk)"),
        )?,
        put(
            app.table(),
            to_item(&profile)?,
            Some("attribute_not_exists(pk)"),
        )?,
        put(
            app.table(),
            to_item(&member)?,
            Some("attribute_not_exists(pk)"),
        )?,
        audit::in_transaction(
            app,
            &AuditEvent {
                actor: Some(&caller.account_id),
                role: Some(caller.role),
                org: Some(&org),
                action: "member.add",
                targets: vec![account.to_string()],
                request_id: &request_id(req),
                outcome: "ok",
            },
        )?,
    ];
    match app
        .db
        .transact_write_items()
        .set_transact_items(Some(writes))
        .send()
        .await
        .map_err(StoreError::from)
    {
        Ok(_) => json(201, &member.view()),
        Err(err) if err.failed_at(0) => Err(ApiError::conflict(
            "already_invited",
            "This email was already invited to this practice.",
        )),
        Err(err) => Err(err.into()),
    }
}
