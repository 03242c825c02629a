//! `DELETE /v1/members/{id}`: an owner or admin removes a teammate. Their access ends at
//! once: the authorizer re-reads membership on every call, and their sessions are deleted.
//! Only owners may remove owners, and the last owner can never be removed (the practice's
//! `owner_count` is decremented with a `> 1` condition in the same transaction).

use aws_sdk_dynamodb::types::AttributeValue;
use aws_sdk_dynamodb::types::{Delete, TransactWriteItem, Update};
use canopy_shared::adapters::dynamo::{self, keys, n, s, StoreError};
use canopy_shared::domain::ids::AccountId;
use canopy_shared::domain::role::Role;
use canopy_shared::http::{no_content, path_id, request::request_id, ApiError, Caller, HttpResult};
use canopy_shared::practice::{get_member, MemberStatus};
use canopy_shared::services::audit::{self, AuditEvent};
use canopy_shared::services::sessions;
use canopy_shared::App;
use lambda_http::Request;

pub async fn handle(app: &App, req: &Request) -> HttpResult {
    let caller = Caller::from_request(req)?;
    let org = caller.managing_org()?;
    let target: AccountId = path_id(req, "id", "member")?;
    let member = get_member(app, &org, &target)
        .await?
        .ok_or_else(|| ApiError::not_found("member"))?;
    let removing_owner = member.role == Role::Owner;
    if removing_owner && caller.role != Role::Owner {
        return Err(ApiError::forbidden(
            "Only an owner may remove another owner.",
        ));
    }
    let bad = |_| ApiError::internal();
    // Both deletes are conditioned on what was read above, so two concurrent removals (or
    // a removal racing a re-add of the same email) cannot both commit: the loser is a 404
    // and the owner counter never drifts.
    let delete =
        |pk: String, sk: &str, condition: &str, name: (&str, &str), value: AttributeValue| {
            let d = Delete::builder()
                .table_name(app.table())
                .set_key(Some(dynamo::key(pk, sk)))
                .condition_expression(condition)
                .expression_attribute_names(name.0, name.1)
                .expression_attribute_values(":v", value)
                .build()
                .map_err(bad)?;
            Ok::<_, ApiError>(TransactWriteItem::builder().delete(d).build())
        };
    let mut writes = Vec::new();
    if removing_owner {
        let update = Update::builder()
            .table_name(app.table())
            .set_key(Some(dynamo::key(keys::org_pk(&org), keys::ORG_META_SK)))
            .update_expression("SET #owners = #owners - :one")
            .condition_expression("#owners > :one")
            .expression_attribute_names("#owners", "owner_count")
            .expression_attribute_values(":one", n(1))
            .build()
            .map_err(bad)?;
        writes.push(TransactWriteItem::builder().update(update).build());
    }
    let member_index = writes.len();
    writes.push(delete(
        keys::org_pk(&org),
        &keys::member_sk(&target),
        "attribute_exists(pk) AND #role = :v",
        ("#role", "role"),
        s(member.role.as_str()),
    )?);
    // An active teammate's email is their login; an invited one's is still an invitation.
    let (alias_pk, alias_sk) = match member.status {
        MemberStatus::Active => (
            keys::staff_email_login_pk(&member.email),
            keys::LOGIN_SK.to_string(),
        ),
        MemberStatus::Invited => (keys::staff_invite_pk(&member.email), keys::org_pk(&org)),
    };
    writes.push(delete(
        alias_pk,
        &alias_sk,
        "#account = :v",
        ("#account", "account_id"),
        s(target.to_string()),
    )?);
    writes.push(audit::in_transaction(
        app,
        &AuditEvent {
            actor: Some(&caller.account_id),
            role: Some(caller.role),
            org: Some(&org),
            action: "member.remove",
            targets: vec![target.to_string()],
            request_id: &request_id(req),
            outcome: "ok",
        },
    )?);
    match app
        .db
        .transact_write_items()
        .set_transact_items(Some(writes))
        .send()
        .await
        .map_err(StoreError::from)
    {
        Ok(_) => {}
        Err(err) if err.failed_at(member_index) || err.failed_at(member_index + 1) => {
            return Err(ApiError::not_found("member"))
        }
        Err(err) if removing_owner && err.failed_at(0) => {
            return Err(ApiError::conflict(
                "last_owner",
                "The practice's last owner cannot be removed.",
            ))
        }
        Err(err) => return Err(err.into()),
    }
    // Membership is already gone (the authorizer refuses them); deleting the sessions is
    // hygiene, so a failure here is logged, not surfaced.
    if let Err(err) = sessions::revoke_all(app, &target).await {
        tracing::warn!(error = %err, "member removed but their sessions were not all deleted");
    }
    no_content()
}
