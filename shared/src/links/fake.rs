//! An in-memory [`LinkStore`] and [`LinkPractice`]: the links use cases run against it with
//! no server, which is what the port is for.

use super::*;
use crate::adapters::dynamo::StoreError;
use crate::domain::caller::NotAllowed;
use crate::domain::ids::{AccountId, LinkId};
use crate::domain::role::Role;
use crate::ports::links::{LinkPractice, LinkStore, LinkWriteError};
use async_trait::async_trait;
use std::sync::Mutex;

#[derive(Default)]
pub struct FakeLinks {
    pub links: Mutex<Vec<Link>>,
    pub practice: Option<(OrgId, String, Vec<AccountId>)>,
    /// Every write that reached the store, by audit action.
    pub writes: Mutex<Vec<&'static str>>,
}

impl FakeLinks {
    pub fn with_practice(org: OrgId, roster: Vec<AccountId>) -> Self {
        Self {
            practice: Some((org, "Elm Street Clinic".into(), roster)),
            ..Self::default()
        }
    }
}

#[async_trait]
impl LinkStore for FakeLinks {
    async fn link_by_code(&self, code: &str) -> Result<Option<Link>, StoreError> {
        let links = self.links.lock().unwrap();
        Ok(links.iter().find(|l| l.code == code).cloned())
    }

    async fn link_of_practice(&self, org: &OrgId, id: &LinkId) -> Result<Option<Link>, StoreError> {
        let links = self.links.lock().unwrap();
        Ok(links
            .iter()
            .find(|l| l.id == *id && l.org_id == *org)
            .cloned())
    }

    async fn links_of_practice(&self, org: &OrgId) -> Result<Vec<Link>, StoreError> {
        let links = self.links.lock().unwrap();
        Ok(links.iter().filter(|l| l.org_id == *org).cloned().collect())
    }

    async fn count_click(&self, code: &LinkCode, day: &str) -> Result<Option<Link>, StoreError> {
        let mut links = self.links.lock().unwrap();
        let Some(link) = links
            .iter_mut()
            .find(|l| l.code == code.as_str() && l.active)
        else {
            return Ok(None);
        };
        link.clicks += 1;
        *link.daily_clicks.entry(day.to_string()).or_default() += 1;
        Ok(Some(link.clone()))
    }

    async fn insert_link(
        &self,
        link: &Link,
        audit: &AuditEvent<'_>,
        _now: i64,
    ) -> Result<(), LinkWriteError> {
        let mut links = self.links.lock().unwrap();
        if links.iter().any(|l| l.code == link.code) {
            return Err(LinkWriteError::Refused);
        }
        links.push(link.clone());
        self.writes.lock().unwrap().push(audit.action);
        Ok(())
    }

    async fn update_link(
        &self,
        link: &Link,
        changes: &LinkChanges,
        audit: &AuditEvent<'_>,
        _now: i64,
    ) -> Result<(), LinkWriteError> {
        let mut links = self.links.lock().unwrap();
        let stored = links
            .iter_mut()
            .find(|l| l.code == link.code && l.org_id == link.org_id && l.id == link.id)
            .ok_or(LinkWriteError::Refused)?;
        changes.apply(stored);
        self.writes.lock().unwrap().push(audit.action);
        Ok(())
    }
}

#[async_trait]
impl LinkPractice for FakeLinks {
    async fn practice_name(&self, org: &OrgId) -> Result<Option<String>, StoreError> {
        Ok(self
            .practice
            .as_ref()
            .filter(|p| p.0 == *org)
            .map(|p| p.1.clone()))
    }

    async fn roster(&self, org: &OrgId) -> Result<Vec<AccountId>, StoreError> {
        Ok(self
            .practice
            .as_ref()
            .filter(|p| p.0 == *org)
            .map(|p| p.2.clone())
            .unwrap_or_default())
    }
}

fn caller(role: Role, org: OrgId) -> Caller {
    Caller {
        account_id: AccountId::generate(),
        role,
        org_id: Some(org),
        visible_links: vec![],
    }
}

fn request(code: Option<&str>) -> CreateLink {
    CreateLink {
        label: " Flu clinic ".into(),
        code: code.map(str::to_string),
        ..CreateLink::default()
    }
}

#[tokio::test]
async fn a_taken_custom_code_is_refused_and_an_allocated_one_is_drawn_again() {
    let org = OrgId::generate();
    let store = FakeLinks::with_practice(org, vec![]);
    let owner = caller(Role::Owner, org);
    let first = create_link(&store, &owner, request(Some("Elm-Flu")), 1, "r1")
        .await
        .unwrap();
    assert_eq!(
        (first.code.as_str(), first.label.as_str()),
        ("elm-flu", "Flu clinic")
    );
    assert_eq!(first.practice_name, "Elm Street Clinic");
    let again = create_link(&store, &owner, request(Some("elm-flu")), 2, "r2").await;
    assert_eq!(again, Err(CreateLinkError::CodeTaken));
    let allocated = create_link(&store, &owner, request(None), 3, "r3")
        .await
        .unwrap();
    assert_eq!(allocated.code.len(), 6);
    assert_eq!(
        *store.writes.lock().unwrap(),
        vec!["link.create", "link.create"]
    );
}

#[tokio::test]
async fn only_managers_create_and_members_must_be_on_the_roster() {
    let org = OrgId::generate();
    let teammate = AccountId::generate();
    let store = FakeLinks::with_practice(org, vec![teammate]);
    let member = caller(Role::Member, org);
    let refused = create_link(&store, &member, request(None), 1, "r").await;
    assert_eq!(
        refused,
        Err(CreateLinkError::NotAllowed(NotAllowed::ManagersOnly))
    );
    let stranger = AccountId::generate();
    let mut with_members = request(None);
    with_members.member_ids = vec![teammate, stranger];
    let unknown = create_link(&store, &caller(Role::Admin, org), with_members, 1, "r").await;
    assert_eq!(
        unknown,
        Err(CreateLinkError::UnknownMember(super::rules::UnknownMember(
            stranger
        )))
    );
    assert!(store.links.lock().unwrap().is_empty());
}

#[tokio::test]
async fn an_update_changes_only_what_is_given_and_another_practice_link_is_not_found() {
    let org = OrgId::generate();
    let store = FakeLinks::with_practice(org, vec![]);
    let owner = caller(Role::Owner, org);
    let link = create_link(&store, &owner, request(None), 1, "r")
        .await
        .unwrap();
    let patch = LinkPatch {
        active: Some(false),
        ..LinkPatch::default()
    };
    let updated = update_link(&store, &owner, &link.id, patch.clone(), 2, "r")
        .await
        .unwrap();
    assert!(!updated.active);
    assert_eq!(updated.label, link.label);
    let unchanged = update_link(&store, &owner, &link.id, LinkPatch::default(), 3, "r")
        .await
        .unwrap();
    assert_eq!(unchanged, updated);
    assert_eq!(
        *store.writes.lock().unwrap(),
        vec!["link.create", "link.update"]
    );
    let other = caller(Role::Owner, OrgId::generate());
    let err = update_link(&store, &other, &link.id, patch, 4, "r").await;
    assert_eq!(err, Err(UpdateLinkError::NotFound));
    assert_eq!(
        click(&store, &link.code, 5).await,
        Err(LookupError::NotFound)
    );
}
