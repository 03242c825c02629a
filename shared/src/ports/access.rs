//! Storage ports of the access aggregate (sessions, one-time codes, rate limits,
//! idempotency keys, audit; see docs/architecture.md): one small trait per capability, so
//! a use case asks only for what it touches and a test fakes only that. Implemented once,
//! by `adapters::dynamo::access`.
//!
//! Writes that must be atomic with another aggregate's change (consuming a challenge,
//! creating a session, the audit item) are not here: the adapter of that change puts them
//! into its own transaction (`adapters::dynamo::access::{consume_challenge, put_session}`,
//! `Tx::audit`).

use crate::access::audit::{AuditEntry, AuditEvent, AuditQuery};
use crate::access::codes::{Challenge, CodePurpose};
use crate::access::idempotency::{IdempotencyRecord, NewClaim, StoredAnswer};
use crate::access::rate_limit::Budget;
use crate::access::sessions::Session;
use crate::access::window::Window;
use crate::adapters::dynamo::StoreError;
use crate::domain::ids::{AccountId, ChallengeId};
use crate::ports::conversations::{ListError, Listing};
use async_trait::async_trait;

/// Challenges and the windows that budget them: each destination's send window, and the
/// rate-limit windows read and spent with it (public-send budgets, wrong-code locks), so a
/// start costs one read and one write whatever it spends. Wrong codes are counted with
/// [`RateLimitStore`], hence the supertrait.
#[async_trait]
pub trait ChallengeStore: RateLimitStore + Send + Sync {
    /// The send window of each destination key (a [`crate::access::codes::Destination::key`])
    /// and the window of each budget, in the order given, in one consistent read; a
    /// destination never sent to (a budget never spent) has an empty window (version 0).
    async fn send_windows(
        &self,
        destinations: &[String],
        budgets: &[Budget],
    ) -> Result<(Vec<Window>, Vec<Window>), StoreError>;

    /// Stores `challenge`, for each destination key its next window (which names the
    /// challenge as the destination's current one) and each budget's next window, all or
    /// nothing. A window written by someone else since it was read fails the whole write
    /// with a condition failure or conflict (the caller re-reads and retries).
    async fn store_challenge(
        &self,
        challenge: &Challenge,
        windows: &[(String, Window)],
        budgets: &[(Budget, Window)],
        now: i64,
    ) -> Result<(), StoreError>;

    /// Counts one check against the challenge, only if it has one of `purposes`, is not
    /// consumed, has had fewer than `max_checks` and has not expired; returns it as counted,
    /// or `None` when any of that is false (or it does not exist).
    async fn count_check(
        &self,
        id: &ChallengeId,
        purposes: &[CodePurpose],
        max_checks: u32,
        now: i64,
    ) -> Result<Option<Challenge>, StoreError>;

    /// The challenge as stored (a consistent read; explains a refused check).
    async fn challenge(&self, id: &ChallengeId) -> Result<Option<Challenge>, StoreError>;

    /// Saves a wrong code's next failure windows (version-conditioned, as
    /// [`RateLimitStore::save_rate_windows`]) and, when `close` names a challenge, uses up
    /// its remaining checks in the same write, so a lock that this failure begins also
    /// stops that challenge (`access::guessing`).
    async fn record_failure(
        &self,
        windows: &[(Budget, Window)],
        close: Option<&ChallengeId>,
        now: i64,
    ) -> Result<(), StoreError>;
}

/// Bearer sessions.
#[async_trait]
pub trait SessionStore: Send + Sync {
    /// The session stored for a token's hash, live or not (a consistent read).
    async fn session(&self, token_hash: &str) -> Result<Option<Session>, StoreError>;

    /// Deletes every session of `account`; how many were deleted.
    async fn revoke_sessions(&self, account: &AccountId) -> Result<usize, StoreError>;
}

/// What sessions' owners do with them (list, end one) and their use (the sliding expiry,
/// the device a sign-in replaces): see [`crate::access::sessions`].
#[async_trait]
pub trait SessionUse: Send + Sync {
    /// Records a use: `last_used_at` and the new expiry, only if the session still exists;
    /// `false` when it does not.
    async fn touch_session(
        &self,
        token_hash: &str,
        last_used_at: i64,
        expires_at: i64,
    ) -> Result<bool, StoreError>;

    /// Every stored session of `account`, live or not.
    async fn account_sessions(&self, account: &AccountId) -> Result<Vec<Session>, StoreError>;

    /// Deletes the session only if it is `account`'s; `false` when there was none.
    async fn end_session(&self, account: &AccountId, token_hash: &str) -> Result<bool, StoreError>;

    /// Records the user agent of the sign-in that made the session (if it still exists).
    async fn set_user_agent(&self, token_hash: &str, user_agent: &str) -> Result<(), StoreError>;
}

/// Sliding-window rate-limit budgets.
#[async_trait]
pub trait RateLimitStore: Send + Sync {
    /// Each budget's window, in the order given (consistent reads).
    async fn rate_windows(&self, budgets: &[Budget]) -> Result<Vec<Window>, StoreError>;

    /// Writes every budget's next window, all or nothing, each conditioned on the version it
    /// was read at (a lost race is a condition failure or conflict).
    async fn save_rate_windows(
        &self,
        windows: &[(Budget, Window)],
        now: i64,
    ) -> Result<(), StoreError>;
}

/// `Idempotency-Key` records, per caller and key.
#[async_trait]
pub trait IdempotencyStore: Send + Sync {
    /// Claims the key for a request (state pending) unless it is already claimed by a
    /// request still in progress or holds an answer; `false` when it is. A pending claim
    /// past its `in_progress_until`, or a record past its expiry, is taken over.
    async fn claim_key(
        &self,
        caller: &AccountId,
        key: &str,
        claim: &NewClaim<'_>,
    ) -> Result<bool, StoreError>;

    /// The record of a claimed key (a consistent read).
    async fn key_record(
        &self,
        caller: &AccountId,
        key: &str,
    ) -> Result<Option<IdempotencyRecord>, StoreError>;

    /// Stores the answer of the request that claimed the key.
    async fn complete_key(
        &self,
        caller: &AccountId,
        key: &str,
        answer: &StoredAnswer,
    ) -> Result<(), StoreError>;

    /// Frees the key after a failed request, so the client can retry it.
    async fn release_key(&self, caller: &AccountId, key: &str) -> Result<(), StoreError>;
}

/// The audit trail's standalone writes (reads have no transaction to carry their item).
#[async_trait]
pub trait AuditLog: Send + Sync {
    async fn record_audit(&self, event: &AuditEvent<'_>, now: i64) -> Result<(), StoreError>;
}

/// Reading a practice's audit trail (`GET /v1/audit`).
#[async_trait]
pub trait AuditTrail: Send + Sync {
    /// One page of `q.org`'s trail, newest first (one Query), with `read` (the audit item of
    /// this read) put concurrently. A cursor that does not belong to this exact query
    /// (partition, key shape, time range) is refused before anything is read or written.
    async fn audit_page(
        &self,
        q: &AuditQuery<'_>,
        read: &AuditEvent<'_>,
        now: i64,
    ) -> Result<Listing<AuditEntry>, ListError>;
}

/// What a staff caller's authorization reads (`access::authorize`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct StaffRecords {
    pub session: Option<Session>,
    pub member: Option<crate::practice::model::Member>,
    /// Which members each of the practice's links admits, as mirrored on the practice's
    /// own item; `None` for a practice created before that mirror was kept (its links are
    /// then read with [`crate::ports::practice::TeamStore::link_access`]).
    pub links: Option<Vec<crate::practice::model::LinkAccess>>,
    /// The practice's access version as read with them (absent: 0; `keys::ACCESS_VERSION_ATTR`).
    pub access_version: u64,
}

/// The items that say who a staff caller is, read together.
#[async_trait]
pub trait CallerStore: Send + Sync {
    /// The session stored for `token_hash`, `account`'s membership of `org` and the
    /// practice's link access, in one consistent read (one round trip, no Query).
    async fn staff_records(
        &self,
        token_hash: &str,
        org: &crate::domain::ids::OrgId,
        account: &AccountId,
    ) -> Result<StaffRecords, StoreError>;
}
