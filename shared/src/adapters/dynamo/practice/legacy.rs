//! SHIM (issue 9, remove after the merge): the old item-returning reads of
//! `canopy_shared::practice`, for the functions of other lanes (links, contacts,
//! conversations, messages, signup) until they read through [`crate::ports::practice`].

use super::items::{AccountItem, LoginItem, MemberItem, OrgItem};
use crate::adapters::dynamo::access::get_item;
use crate::adapters::dynamo::{keys, StoreError};
use crate::app::App;
use crate::domain::ids::{AccountId, OrgId};
use crate::ports::practice::TeamStore;

pub async fn get_account(
    app: &App,
    account: &AccountId,
) -> Result<Option<AccountItem>, StoreError> {
    get_item(
        &app.store,
        keys::account_pk(account),
        keys::PROFILE_SK,
        false,
    )
    .await
}

pub async fn get_login(app: &App, login_pk: String) -> Result<Option<LoginItem>, StoreError> {
    get_item(&app.store, login_pk, keys::LOGIN_SK, true).await
}

pub async fn get_member(
    app: &App,
    org: &OrgId,
    account: &AccountId,
) -> Result<Option<MemberItem>, StoreError> {
    get_item(
        &app.store,
        keys::org_pk(org),
        &keys::member_sk(account),
        true,
    )
    .await
}

pub async fn get_org(app: &App, org: &OrgId) -> Result<Option<OrgItem>, StoreError> {
    get_item(&app.store, keys::org_pk(org), keys::ORG_META_SK, false).await
}

pub async fn list_members(app: &App, org: &OrgId) -> Result<Vec<MemberItem>, StoreError> {
    let members = app.store.members(org).await?;
    Ok(members.iter().map(MemberItem::new).collect())
}
