//! Checking a challenge's codes. The check is counted atomically *before* the codes are
//! compared (one `UpdateItem` returning the challenge), so 50 concurrent guesses evaluate
//! exactly 5. A refused count is explained with one consistent `GetItem` (failure path
//! only). On success the caller still consumes the challenge in its own transaction.

use super::codes::{Challenge, CodePurpose};
use crate::adapters::dynamo::StoreError;
use crate::domain::ids::ChallengeId;
use crate::domain::secrets::{looks_like_code, MAX_CODE_CHECKS};
use crate::ports::access::ChallengeStore;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CheckError {
    #[error("a code is missing or not six digits")]
    Malformed(&'static str),
    #[error("no such challenge")]
    NotFound,
    #[error("the code has expired")]
    Expired,
    #[error("the challenge was already used")]
    Used,
    #[error("too many wrong codes")]
    Locked,
    #[error("a newer code was sent to this destination")]
    Replaced,
    #[error("wrong code")]
    WrongCode { attempts_left: u32 },
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Counts one check and compares `codes` (field name, code) with the challenge's slots.
/// Only a challenge with one of `purposes` is found. Malformed codes spend no attempt.
pub async fn check(
    store: &impl ChallengeStore,
    pepper: &[u8],
    id: &ChallengeId,
    purposes: &[CodePurpose],
    codes: &[(&'static str, Option<&str>)],
    now: i64,
) -> Result<Challenge, CheckError> {
    for (field, code) in codes {
        if !code.is_some_and(looks_like_code) {
            return Err(CheckError::Malformed(field));
        }
    }
    let Some(challenge) = store
        .count_check(id, purposes, MAX_CODE_CHECKS, now)
        .await?
    else {
        return Err(why_refused(store, id, purposes, now).await?);
    };
    if challenge.answered_by(pepper, codes) {
        Ok(challenge)
    } else {
        Err(CheckError::WrongCode {
            attempts_left: MAX_CODE_CHECKS.saturating_sub(challenge.attempts),
        })
    }
}

async fn why_refused(
    store: &impl ChallengeStore,
    id: &ChallengeId,
    purposes: &[CodePurpose],
    now: i64,
) -> Result<CheckError, StoreError> {
    let Some(challenge) = store.challenge(id).await? else {
        return Ok(CheckError::NotFound);
    };
    Ok(if !purposes.contains(&challenge.purpose) {
        CheckError::NotFound
    } else if challenge.consumed {
        CheckError::Used
    } else if challenge.attempts >= MAX_CODE_CHECKS {
        CheckError::Locked
    } else if challenge.expires_at <= now {
        CheckError::Expired
    } else {
        CheckError::NotFound
    })
}
