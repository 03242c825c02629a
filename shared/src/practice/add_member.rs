//! Adding a teammate: an owner or admin adds a name, email and role; the teammate then
//! signs in with their email. They stay `invited` until their first code proves the email;
//! only then does it become a staff login (one staff account per email). Adding never
//! writes the global login alias, so it reveals nothing about other practices' staff and
//! cannot reserve someone else's address.
//!
//! Round trips: one consistent `GetItem` of the email's login (and, when there is one, one
//! `GetItem` of that account's membership here), then one `TransactWriteItems`: the
//! practice's invitation of the email (unique per practice), the account, the member and
//! the audit item.

use super::model::{Account, Login, Member, MemberStatus, MemberView};
use crate::access::audit::AuditEvent;
use crate::adapters::dynamo::StoreError;
use crate::domain::caller::{Caller, NotAllowed};
use crate::domain::contact_info::{DisplayName, EmailAddress};
use crate::domain::ids::AccountId;
use crate::domain::role::Role;
use crate::ports::practice::{AddMemberRefused, TeamStore};

/// A teammate to add. Only admins and members can be added (owners come from signup).
#[derive(Debug, Clone)]
pub struct NewTeammate {
    pub name: DisplayName,
    pub email: EmailAddress,
    pub role: Role,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AddMemberError {
    #[error(transparent)]
    NotAllowed(#[from] NotAllowed),
    #[error("only admins and members can be added")]
    RoleNotAddable,
    #[error("this email already belongs to a member of this practice")]
    AlreadyMember,
    #[error("this email was already invited to this practice")]
    AlreadyInvited,
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl From<AddMemberRefused> for AddMemberError {
    fn from(refused: AddMemberRefused) -> Self {
        match refused {
            AddMemberRefused::AlreadyInvited => AddMemberError::AlreadyInvited,
            AddMemberRefused::Store(e) => AddMemberError::Store(e),
        }
    }
}

pub async fn add_member(
    store: &impl TeamStore,
    caller: &Caller,
    new: NewTeammate,
    request_id: &str,
    now: i64,
) -> Result<MemberView, AddMemberError> {
    let org = caller.managing_org()?;
    if !matches!(new.role, Role::Admin | Role::Member) {
        return Err(AddMemberError::RoleNotAddable);
    }
    let login = Login::StaffEmail(new.email.clone());
    if let Some(existing) = store.account_for(&login).await? {
        if store.member(&org, &existing).await?.is_some() {
            return Err(AddMemberError::AlreadyMember);
        }
    }
    let id = AccountId::generate();
    let member = Member {
        account_id: id,
        org_id: org,
        name: new.name.clone(),
        email: new.email.clone(),
        role: new.role,
        status: MemberStatus::Invited,
        created_at: now,
    };
    let account = Account::staff(id, org, new.name, new.email, now);
    let audit = AuditEvent {
        actor: Some(&caller.account_id),
        role: Some(caller.role),
        org: Some(&org),
        action: "member.add",
        targets: vec![id.to_string()],
        request_id,
        outcome: "ok",
    };
    store.add_member(&member, &account, &audit, now).await?;
    Ok(member.view())
}
