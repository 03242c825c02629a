//! Storage port of the links aggregate (see docs/architecture.md). Implemented once, by
//! `adapters::dynamo::links`; the use cases in `crate::links` take `&impl LinkStore` so
//! they can be unit-tested against an in-memory fake.

use crate::adapters::dynamo::StoreError;
use crate::domain::ids::{AccountId, LinkId, OrgId};
use crate::links::{Link, LinkChanges, LinkCode};
use crate::services::audit::AuditEvent;
use async_trait::async_trait;

/// Why a link write did not happen.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LinkWriteError {
    /// The write's condition failed: on create, a link already has this code; on update,
    /// the link is no longer this practice's.
    #[error("the link's condition failed")]
    Refused,
    #[error(transparent)]
    Store(#[from] StoreError),
}

#[async_trait]
pub trait LinkStore: Send + Sync {
    /// The link with this public code, active or not (consistent read).
    async fn link_by_code(&self, code: &str) -> Result<Option<Link>, StoreError>;

    /// One of the practice's links by id (another practice's link is not found).
    async fn link_of_practice(&self, org: &OrgId, id: &LinkId) -> Result<Option<Link>, StoreError>;

    /// Every link of a practice, oldest first.
    async fn links_of_practice(&self, org: &OrgId) -> Result<Vec<Link>, StoreError>;

    /// Resolves an active link and counts a click on `day` (`yyyy-mm-dd`); `None` for unknown
    /// and disabled codes alike (nothing is counted). A count that fails (throttled) is
    /// logged, never the click's failure.
    async fn count_click(&self, code: &LinkCode, day: &str) -> Result<Option<Link>, StoreError>;

    /// Stores a new link with its audit item; `Refused` when its code is taken.
    async fn insert_link(
        &self,
        link: &Link,
        audit: &AuditEvent<'_>,
        now: i64,
    ) -> Result<(), LinkWriteError>;

    /// Stores `changes` to `link` with the audit item, on condition that the link still
    /// belongs to its practice (`Refused` otherwise).
    async fn update_link(
        &self,
        link: &Link,
        changes: &LinkChanges,
        audit: &AuditEvent<'_>,
        now: i64,
    ) -> Result<(), LinkWriteError>;
}

/// What link management needs to know about the practice (name for new links, roster for
/// link members). Lane of the practice aggregate: read here through the same items.
#[async_trait]
pub trait LinkPractice: Send + Sync {
    /// The practice's display name, `None` if there is no such practice.
    async fn practice_name(&self, org: &OrgId) -> Result<Option<String>, StoreError>;

    /// The account ids of every member of the practice.
    async fn roster(&self, org: &OrgId) -> Result<Vec<AccountId>, StoreError>;
}
