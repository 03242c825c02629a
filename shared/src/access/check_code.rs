//! Checking a challenge's codes. The check is counted atomically *before* the codes are
//! compared (one `UpdateItem` returning the challenge), so 50 concurrent guesses evaluate
//! exactly 5. A refused count is explained with one consistent `GetItem` (failure path
//! only). On success the caller still consumes the challenge in its own transaction.
//!
//! A wrong code is also counted against each of the challenge's destinations across
//! challenges and in a row ([`super::guessing::count_failure`]): `BatchGetItem` +
//! `TransactWriteItems` on the wrong-code path only. Once that budget is spent the answer
//! is `DestinationLocked`.

use super::codes::{Challenge, CodePurpose};
use super::guessing::count_failure;
use super::rate_limit::RateError;
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
    /// Too many wrong codes for this destination across challenges ([`super::guessing`]).
    #[error("sign-in to this destination is locked for a while")]
    DestinationLocked { retry_after_secs: u64 },
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
        return Ok(challenge);
    }
    match count_failure(store, &challenge, now).await {
        // This failure began a lock, which used up the challenge's remaining checks.
        Ok(true) => Err(CheckError::WrongCode { attempts_left: 0 }),
        Ok(false) => Err(CheckError::WrongCode {
            attempts_left: MAX_CODE_CHECKS.saturating_sub(challenge.attempts),
        }),
        Err(RateError::Limited { retry_after_secs }) => {
            Err(CheckError::DestinationLocked { retry_after_secs })
        }
        Err(RateError::Store(e)) => Err(e.into()),
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::access::codes::{Challenge, Destination};
    use crate::access::rate_limit::Budget;
    use crate::access::window::Window;
    use crate::domain::contact_info::PhoneNumber;
    use crate::ports::access::RateLimitStore;
    use async_trait::async_trait;
    use std::sync::Mutex;

    const PEPPER: &[u8] = b"a-test-pepper-of-some-length";

    /// One stored challenge, counted with the same conditions as the adapter's update.
    struct OneChallenge(Mutex<Challenge>);

    /// Its rate windows (wrong codes per destination), by kind and subject.
    static WINDOWS: Mutex<Vec<(String, Window)>> = Mutex::new(Vec::new());

    fn window_key(b: &Budget) -> String {
        format!("{}#{}", b.kind, b.subject)
    }

    #[async_trait]
    impl RateLimitStore for OneChallenge {
        async fn rate_windows(&self, budgets: &[Budget]) -> Result<Vec<Window>, StoreError> {
            let all = WINDOWS.lock().unwrap();
            Ok(budgets
                .iter()
                .map(|b| {
                    let k = window_key(b);
                    all.iter()
                        .find(|(key, _)| *key == k)
                        .map(|(_, w)| w.clone())
                        .unwrap_or_default()
                })
                .collect())
        }
        async fn save_rate_windows(
            &self,
            windows: &[(Budget, Window)],
            _: i64,
        ) -> Result<(), StoreError> {
            let mut all = WINDOWS.lock().unwrap();
            for (b, w) in windows {
                let k = window_key(b);
                all.retain(|(key, _)| *key != k);
                all.push((k, w.clone()));
            }
            Ok(())
        }
    }

    #[async_trait]
    impl ChallengeStore for OneChallenge {
        async fn send_windows(
            &self,
            keys: &[String],
            budgets: &[Budget],
        ) -> Result<(Vec<Window>, Vec<Window>), StoreError> {
            Ok((
                vec![Window::default(); keys.len()],
                self.rate_windows(budgets).await?,
            ))
        }
        async fn store_challenge(
            &self,
            _: &Challenge,
            _: &[(String, Window)],
            _: &[(Budget, Window)],
            _: i64,
        ) -> Result<(), StoreError> {
            Ok(())
        }
        async fn count_check(
            &self,
            id: &ChallengeId,
            purposes: &[CodePurpose],
            max_checks: u32,
            now: i64,
        ) -> Result<Option<Challenge>, StoreError> {
            let mut c = self.0.lock().unwrap();
            let countable = &c.id == id
                && purposes.contains(&c.purpose)
                && !c.consumed
                && c.attempts < max_checks
                && c.expires_at > now;
            if !countable {
                return Ok(None);
            }
            c.attempts += 1;
            Ok(Some(c.clone()))
        }
        async fn challenge(&self, id: &ChallengeId) -> Result<Option<Challenge>, StoreError> {
            let c = self.0.lock().unwrap();
            Ok((&c.id == id).then(|| c.clone()))
        }
        async fn record_failure(
            &self,
            windows: &[(Budget, Window)],
            close: Option<&ChallengeId>,
            now: i64,
        ) -> Result<(), StoreError> {
            if close.is_some() {
                self.0.lock().unwrap().attempts = MAX_CODE_CHECKS;
            }
            self.save_rate_windows(windows, now).await
        }
    }

    fn stored() -> (OneChallenge, ChallengeId, String) {
        stored_for("+14155550123")
    }

    fn stored_for(number: &str) -> (OneChallenge, ChallengeId, String) {
        let phone = PhoneNumber::parse(number).unwrap();
        let (challenge, out) = Challenge::issue(
            PEPPER,
            CodePurpose::Login,
            &[Destination::Sms(phone)],
            String::new(),
            1_000,
        );
        let id = challenge.id;
        (OneChallenge(Mutex::new(challenge)), id, out[0].code.clone())
    }

    fn wrong(code: &str) -> String {
        format!("{:06}", (code.parse::<u32>().unwrap() + 1) % 1_000_000)
    }

    #[tokio::test]
    async fn wrong_code_five_times_locks_the_challenge() {
        let (store, id, code) = stored();
        let bad = wrong(&code);
        let login = [CodePurpose::Login];
        for left in (0..5).rev() {
            let r = check(&store, PEPPER, &id, &login, &[("code", Some(&bad))], 0).await;
            assert_eq!(
                r.unwrap_err(),
                CheckError::WrongCode {
                    attempts_left: left
                }
            );
        }
        let r = check(&store, PEPPER, &id, &login, &[("code", Some(&code))], 0).await;
        assert_eq!(r.unwrap_err(), CheckError::Locked);
    }

    #[tokio::test]
    async fn a_malformed_code_spends_no_attempt_and_other_purposes_find_nothing() {
        let (store, id, code) = stored();
        let login = [CodePurpose::Login];
        let r = check(&store, PEPPER, &id, &login, &[("code", Some("12a456"))], 0).await;
        assert_eq!(r.unwrap_err(), CheckError::Malformed("code"));
        let other = [CodePurpose::OrgSignup];
        let r = check(&store, PEPPER, &id, &other, &[("code", Some(&code))], 0).await;
        assert_eq!(r.unwrap_err(), CheckError::NotFound);
        let ok = check(&store, PEPPER, &id, &login, &[("code", Some(&code))], 0).await;
        assert_eq!(ok.unwrap().attempts, 1);
        let late = check(&store, PEPPER, &id, &login, &[("code", Some(&code))], 1_000).await;
        assert_eq!(late.unwrap_err(), CheckError::Expired);
    }

    #[tokio::test]
    async fn wrong_codes_across_challenges_lock_the_destination() {
        use crate::access::guessing::FAILED_PER_HOUR;
        let login = [CodePurpose::Login];
        let mut seen = 0;
        // Fresh challenges for one number, each given wrong codes: the failures add up.
        while seen < FAILED_PER_HOUR {
            let (store, id, code) = stored_for("+12025550177");
            let bad = wrong(&code);
            for _ in 0..2 {
                let r = check(&store, PEPPER, &id, &login, &[("code", Some(&bad))], 0).await;
                assert!(matches!(r, Err(CheckError::WrongCode { .. })), "{r:?}");
                seen += 1;
            }
        }
        let (store, id, code) = stored_for("+12025550177");
        let r = check(
            &store,
            PEPPER,
            &id,
            &login,
            &[("code", Some(&wrong(&code)))],
            0,
        )
        .await;
        assert_eq!(
            r.unwrap_err(),
            CheckError::DestinationLocked {
                retry_after_secs: 3600
            }
        );
        // Another number is not affected.
        let (store, id, code) = stored_for("+12025550178");
        let r = check(
            &store,
            PEPPER,
            &id,
            &login,
            &[("code", Some(&wrong(&code)))],
            0,
        )
        .await;
        assert!(matches!(r, Err(CheckError::WrongCode { .. })));
    }
}
