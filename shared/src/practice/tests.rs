//! The team use cases against an in-memory fake of their ports: the rules (who may do what,
//! the last owner, sessions revoked) proven without any server.

use super::add_member::{add_member, AddMemberError, NewTeammate};
use super::list_members::{list_members, ListMembersError};
use super::model::{Account, LinkAccess, Login, Member, MemberStatus, Practice};
use super::remove_member::{remove_member, RemoveMemberError};
use crate::access::audit::AuditEvent;
use crate::access::sessions::Session;
use crate::adapters::dynamo::StoreError;
use crate::domain::caller::{Caller, NotAllowed};
use crate::domain::contact_info::{DisplayName, EmailAddress};
use crate::domain::ids::{AccountId, OrgId};
use crate::domain::role::Role;
use crate::ports::access::SessionStore;
use crate::ports::practice::{AddMemberRefused, RemoveMemberRefused, TeamStore};
use async_trait::async_trait;
use std::sync::Mutex;

/// One practice's team in memory, with the same all-or-nothing writes as the adapter.
struct FakeTeam {
    org: OrgId,
    members: Mutex<Vec<Member>>,
    owner_count: Mutex<i64>,
    /// Staff logins (email, lower-cased → account).
    logins: Mutex<Vec<(String, AccountId)>>,
    revoked: Mutex<Vec<AccountId>>,
    audited: Mutex<Vec<&'static str>>,
}

impl FakeTeam {
    fn new() -> Self {
        Self {
            org: OrgId::generate(),
            members: Mutex::new(vec![]),
            owner_count: Mutex::new(0),
            logins: Mutex::new(vec![]),
            revoked: Mutex::new(vec![]),
            audited: Mutex::new(vec![]),
        }
    }

    /// An active member with a login; the caller they would be.
    fn join(&self, name: &str, role: Role, created_at: i64) -> Caller {
        let id = AccountId::generate();
        let email = EmailAddress::parse(&format!("{name}@example.com")).unwrap();
        self.logins
            .lock()
            .unwrap()
            .push((email.as_str().to_string(), id));
        if role == Role::Owner {
            *self.owner_count.lock().unwrap() += 1;
        }
        self.members.lock().unwrap().push(Member {
            account_id: id,
            org_id: self.org,
            name: DisplayName::parse(name).unwrap(),
            email,
            role,
            status: MemberStatus::Active,
            created_at,
        });
        Caller {
            account_id: id,
            role,
            org_id: Some(self.org),
            visible_links: vec![],
        }
    }

    fn ids(&self) -> Vec<AccountId> {
        self.members
            .lock()
            .unwrap()
            .iter()
            .map(|m| m.account_id)
            .collect()
    }
}

#[async_trait]
impl TeamStore for FakeTeam {
    async fn practice(&self, _org: &OrgId) -> Result<Option<Practice>, StoreError> {
        Ok(None)
    }

    async fn change_practice(
        &self,
        _org: &OrgId,
        _change: &crate::ports::practice::PracticeChange,
        _audit: &AuditEvent<'_>,
        _now: i64,
    ) -> Result<bool, StoreError> {
        Ok(false)
    }

    async fn member(&self, org: &OrgId, account: &AccountId) -> Result<Option<Member>, StoreError> {
        let members = self.members.lock().unwrap();
        Ok(members
            .iter()
            .find(|m| &m.org_id == org && &m.account_id == account)
            .cloned())
    }

    async fn members(&self, org: &OrgId) -> Result<Vec<Member>, StoreError> {
        let members = self.members.lock().unwrap();
        // Key order (by id), not creation order: the use case must sort.
        let mut found: Vec<Member> = members
            .iter()
            .filter(|m| &m.org_id == org)
            .cloned()
            .collect();
        found.sort_by_key(|m| std::cmp::Reverse(m.created_at));
        Ok(found)
    }

    async fn link_access(&self, _org: &OrgId) -> Result<Vec<LinkAccess>, StoreError> {
        Ok(vec![])
    }

    async fn account_for(&self, login: &Login) -> Result<Option<AccountId>, StoreError> {
        let Login::StaffEmail(email) = login else {
            return Ok(None);
        };
        let logins = self.logins.lock().unwrap();
        Ok(logins
            .iter()
            .find(|(e, _)| e == &email.as_str().to_lowercase())
            .map(|(_, id)| *id))
    }

    async fn add_member(
        &self,
        member: &Member,
        _account: &Account,
        audit: &AuditEvent<'_>,
        _now: i64,
    ) -> Result<(), AddMemberRefused> {
        let mut members = self.members.lock().unwrap();
        if members
            .iter()
            .any(|m| m.email == member.email && m.status == MemberStatus::Invited)
        {
            return Err(AddMemberRefused::AlreadyInvited);
        }
        members.push(member.clone());
        self.audited.lock().unwrap().push(audit.action);
        Ok(())
    }

    async fn remove_member(
        &self,
        member: &Member,
        audit: &AuditEvent<'_>,
        _now: i64,
    ) -> Result<(), RemoveMemberRefused> {
        let mut members = self.members.lock().unwrap();
        let Some(at) = members
            .iter()
            .position(|m| m.account_id == member.account_id && m.role == member.role)
        else {
            return Err(RemoveMemberRefused::Gone);
        };
        let mut owners = self.owner_count.lock().unwrap();
        if member.role == Role::Owner {
            if *owners <= 1 {
                return Err(RemoveMemberRefused::LastOwner);
            }
            *owners -= 1;
        }
        members.remove(at);
        self.audited.lock().unwrap().push(audit.action);
        Ok(())
    }
}

#[async_trait]
impl SessionStore for FakeTeam {
    async fn session(&self, _token_hash: &str) -> Result<Option<Session>, StoreError> {
        Ok(None)
    }

    async fn revoke_sessions(&self, account: &AccountId) -> Result<usize, StoreError> {
        self.revoked.lock().unwrap().push(*account);
        Ok(1)
    }
}

fn patient() -> Caller {
    Caller {
        account_id: AccountId::generate(),
        role: Role::Patient,
        org_id: None,
        visible_links: vec![],
    }
}

fn teammate(email: &str) -> NewTeammate {
    NewTeammate {
        name: DisplayName::parse("New Teammate").unwrap(),
        email: EmailAddress::parse(email).unwrap(),
        role: Role::Member,
    }
}

#[tokio::test]
async fn the_team_is_listed_oldest_first_to_staff_only() {
    let team = FakeTeam::new();
    let owner = team.join("owner", Role::Owner, 1);
    team.join("front", Role::Member, 2);
    let names: Vec<String> = list_members(&team, &owner)
        .await
        .unwrap()
        .into_iter()
        .map(|m| m.name)
        .collect();
    assert_eq!(names, vec!["owner", "front"]);
    assert_eq!(
        list_members(&team, &patient()).await,
        Err(ListMembersError::NotAllowed(NotAllowed::StaffOnly))
    );
}

#[tokio::test]
async fn an_added_teammate_is_invited_and_audited_and_cannot_be_added_twice() {
    let team = FakeTeam::new();
    let owner = team.join("owner", Role::Owner, 1);
    let added = add_member(&team, &owner, teammate("new@example.com"), "req", 5)
        .await
        .unwrap();
    assert_eq!(added.status, MemberStatus::Invited);
    assert_eq!(*team.audited.lock().unwrap(), vec!["member.add"]);
    let again = add_member(&team, &owner, teammate("new@example.com"), "req", 6).await;
    assert_eq!(again.unwrap_err(), AddMemberError::AlreadyInvited);
    let existing = add_member(&team, &owner, teammate("OWNER@example.com"), "req", 7).await;
    assert_eq!(existing.unwrap_err(), AddMemberError::AlreadyMember);
}

#[tokio::test]
async fn members_cannot_add_or_remove_teammates() {
    let team = FakeTeam::new();
    let owner = team.join("owner", Role::Owner, 1);
    let member = team.join("front", Role::Member, 2);
    let added = add_member(&team, &member, teammate("x@example.com"), "req", 5).await;
    assert_eq!(
        added.unwrap_err(),
        AddMemberError::NotAllowed(NotAllowed::ManagersOnly)
    );
    let removed = remove_member(&team, &member, &owner.account_id, "req", 5).await;
    assert_eq!(
        removed.unwrap_err(),
        RemoveMemberError::NotAllowed(NotAllowed::ManagersOnly)
    );
}

#[tokio::test]
async fn only_owners_remove_owners_and_never_the_last_one() {
    let team = FakeTeam::new();
    let owner = team.join("owner", Role::Owner, 1);
    let admin = team.join("admin", Role::Admin, 2);
    let by_admin = remove_member(&team, &admin, &owner.account_id, "req", 5).await;
    assert_eq!(by_admin.unwrap_err(), RemoveMemberError::OwnersOnly);
    let last = remove_member(&team, &owner, &owner.account_id, "req", 5).await;
    assert_eq!(last.unwrap_err(), RemoveMemberError::LastOwner);
    assert_eq!(team.ids().len(), 2, "nothing was removed");
    assert!(team.revoked.lock().unwrap().is_empty());
}

#[tokio::test]
async fn a_removed_teammate_is_gone_with_their_sessions() {
    let team = FakeTeam::new();
    let owner = team.join("owner", Role::Owner, 1);
    let front = team.join("front", Role::Member, 2);
    remove_member(&team, &owner, &front.account_id, "req", 5)
        .await
        .unwrap();
    assert_eq!(team.ids(), vec![owner.account_id]);
    assert_eq!(*team.revoked.lock().unwrap(), vec![front.account_id]);
    assert_eq!(*team.audited.lock().unwrap(), vec!["member.remove"]);
    let again = remove_member(&team, &owner, &front.account_id, "req", 6).await;
    assert_eq!(again.unwrap_err(), RemoveMemberError::NotFound);
}
