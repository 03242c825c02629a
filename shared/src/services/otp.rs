//! One-time-code challenges, shared by practice signup, staff and patient sign-in, and
//! patient signup (one code by SMS, or one by SMS and one by email, both required).
//!
//! Every attribute in an expression goes through `#names`: DynamoDB reserves hundreds of
//! words (`consumed`, `name`, `status`, …).
//!
//! The rules (SECURITY.md) and where each is enforced:
//! - 6 digits from the OS CSPRNG without modulo bias: [`secrets::new_code`].
//! - Only `HMAC(pepper, challenge‖purpose‖destination‖code)` is stored: [`secrets::code_hash`].
//! - Valid 10 minutes, at most 5 checks, single use: conditions of the `UpdateItem` that
//!   counts a check *before* comparing, so 50 concurrent guesses evaluate exactly 5; and of
//!   the consuming update in the caller's transaction ([`consume`]).
//! - A resend replaces the code: each destination's send item names its current challenge,
//!   and [`consume`] checks it, so an older challenge to that destination cannot be used.
//! - At most 5 sends per destination per 10 minutes: a sliding window of send times on the
//!   destination's send item, written with optimistic concurrency.
//! - Unknown accounts get the same answer as known ones: the challenge is stored and the
//!   budget spent either way; only the delivery is skipped.

use crate::adapters::dynamo::{self, bool_av, keys, n, s, to_item, Item, StoreError};
use crate::app::App;
use crate::domain::contact_info::{EmailAddress, PhoneNumber};
use crate::domain::ids::ChallengeId;
use crate::domain::secrets::{
    code_hash, hashes_equal, looks_like_code, new_code, CODE_LIFETIME_MS, MAX_CODE_CHECKS,
    MAX_SENDS_PER_WINDOW, SEND_WINDOW_MS,
};
use crate::ports::SendError;
use aws_sdk_dynamodb::types::{ConditionCheck, ReturnValue, TransactWriteItem, Update};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

/// Where a code goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Destination {
    Sms(PhoneNumber),
    Email(EmailAddress),
}

impl Destination {
    pub fn channel(&self) -> &'static str {
        match self {
            Destination::Sms(_) => "sms",
            Destination::Email(_) => "email",
        }
    }
    /// Where to deliver, as given (an email's local part keeps its case).
    pub fn address(&self) -> &str {
        match self {
            Destination::Sms(p) => p.as_str(),
            Destination::Email(e) => e.as_str(),
        }
    }

    /// The destination's identity for budgets, "current challenge" and code binding: the
    /// whole email lower-cased. Mail systems treat `DrSmith@` and `drsmith@` as one mailbox
    /// (and so does sign-in), so they must share one send budget and one live code; keyed by
    /// the address as typed, each case variant would get its own five sends.
    pub fn key(&self) -> String {
        match self {
            Destination::Sms(p) => p.as_str().to_string(),
            Destination::Email(e) => e.as_str().to_lowercase(),
        }
    }
}

/// One code of a challenge, as stored: never the code itself.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct CodeSlot {
    pub channel: String,
    pub destination: String,
    pub hash: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ChallengeItem {
    pub pk: String,
    pub sk: String,
    pub id: ChallengeId,
    pub purpose: String,
    pub codes: Vec<CodeSlot>,
    pub attempts: u32,
    pub consumed: bool,
    pub expires_at: i64,
    pub ttl: i64,
    /// What the flow needs after verification (e.g. the signup's name and phone), as JSON
    /// written by the flow that started the challenge.
    pub payload: String,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum StartError {
    #[error("too many codes sent to this destination")]
    TooManySends { retry_after_secs: u64 },
    #[error("the code could not be delivered")]
    Undeliverable {
        reason: SendError,
        challenge: ChallengeId,
    },
    #[error(transparent)]
    Store(#[from] StoreError),
}

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

impl From<CheckError> for crate::http::ApiError {
    fn from(err: CheckError) -> Self {
        use crate::http::ApiError;
        match err {
            CheckError::Malformed(field) => {
                ApiError::invalid(field, "must be the six-digit code we sent")
            }
            CheckError::NotFound => ApiError::not_found("challenge"),
            CheckError::Expired => {
                ApiError::conflict("code_expired", "This code has expired; request a new one.")
            }
            CheckError::Used => ApiError::conflict(
                "code_used",
                "This code was already used; request a new one.",
            ),
            CheckError::Replaced => ApiError::conflict(
                "code_replaced",
                "A newer code was sent; use the code from the latest message.",
            ),
            CheckError::Locked => ApiError::new(
                429,
                "too_many_attempts",
                "Too many wrong codes; request a new one.",
            )
            .with_retry_after(1),
            CheckError::WrongCode { attempts_left } => ApiError::new(
                400,
                "wrong_code",
                format!("That code is not right; {attempts_left} attempts left."),
            ),
            CheckError::Store(e) => e.into(),
        }
    }
}

impl From<StartError> for crate::http::ApiError {
    fn from(err: StartError) -> Self {
        use crate::http::ApiError;
        match err {
            StartError::TooManySends { retry_after_secs } => {
                ApiError::rate_limited(retry_after_secs)
            }
            StartError::Undeliverable {
                reason: SendError::OptedOut,
                ..
            } => ApiError::conflict(
                "destination_opted_out",
                "This number or address has opted out of messages from us.",
            ),
            StartError::Undeliverable {
                reason: SendError::Unavailable,
                ..
            } => ApiError::unavailable(),
            StartError::Store(e) => e.into(),
        }
    }
}

/// The code pepper; a function deployed without it cannot make or check codes.
fn pepper(app: &App) -> Result<&[u8], StoreError> {
    app.settings.otp_pepper.as_deref().ok_or_else(|| {
        tracing::error!("OTP_PEPPER is not configured for this function");
        StoreError::Other("OTP_PEPPER is not configured".into())
    })
}

/// The per-destination send item.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct SendsItem {
    pk: String,
    sk: String,
    /// Epoch ms of recent sends (only those inside the window are kept).
    sends: Vec<i64>,
    current_challenge: ChallengeId,
    version: u64,
    ttl: i64,
}

/// A code to deliver after the challenge is stored.
pub struct Outgoing {
    pub destination: Destination,
    pub code: String,
}

/// Starts a challenge: spends each destination's send budget, stores the hashed codes, and
/// delivers them (unless `deliver` is false: the unknown-account case). `compose` writes
/// the SMS/email text around the code; texts carry no PHI.
pub async fn start(
    app: &App,
    purpose: &str,
    destinations: &[Destination],
    payload: String,
    deliver: bool,
    compose: impl Fn(&Destination, &str) -> (String, String),
) -> Result<ChallengeId, StartError> {
    let pepper = pepper(app)?;
    let challenge = ChallengeId::generate();
    let mut outgoing = Vec::with_capacity(destinations.len());
    let mut slots = Vec::with_capacity(destinations.len());
    for destination in destinations {
        let code = new_code();
        slots.push(CodeSlot {
            channel: destination.channel().into(),
            destination: destination.key(),
            hash: code_hash(
                pepper,
                &challenge.to_string(),
                purpose,
                &destination.key(),
                &code,
            ),
        });
        outgoing.push(Outgoing {
            destination: destination.clone(),
            code,
        });
    }
    let now = app.now_ms();
    let item = ChallengeItem {
        pk: keys::challenge_pk(&challenge),
        sk: keys::CHALLENGE_SK.into(),
        id: challenge,
        purpose: purpose.into(),
        codes: slots,
        attempts: 0,
        consumed: false,
        expires_at: now + CODE_LIFETIME_MS,
        ttl: (now + CODE_LIFETIME_MS) / 1000 + 3600,
        payload,
    };
    // Optimistic concurrency on the send items: re-read and retry if another send won.
    let mut stored = false;
    for _ in 0..5 {
        match store_challenge(app, &item, destinations, now).await {
            Ok(()) => {
                stored = true;
                break;
            }
            Err(StartError::Store(e)) if e.is_condition_failure() || e == StoreError::Conflict => {
                continue
            }
            Err(e) => return Err(e),
        }
    }
    if !stored {
        return Err(StartError::Store(StoreError::Conflict));
    }
    if deliver {
        for out in &outgoing {
            let (subject, text) = compose(&out.destination, &out.code);
            let sent = match &out.destination {
                Destination::Sms(phone) => app.sms.send_sms(phone, &text).await,
                Destination::Email(email) => app.email.send_email(email, &subject, &text).await,
            };
            sent.map_err(|reason| StartError::Undeliverable { reason, challenge })?;
        }
    }
    Ok(challenge)
}

async fn store_challenge(
    app: &App,
    item: &ChallengeItem,
    destinations: &[Destination],
    now: i64,
) -> Result<(), StartError> {
    let current = read_sends(app, destinations).await?;
    let mut writes = vec![dynamo::put(
        app.table(),
        to_item(item)?,
        Some("attribute_not_exists(pk)"),
    )?];
    for destination in destinations {
        let pk = keys::sends_pk(&destination.key());
        let previous = current.get(&pk);
        let mut recent: Vec<i64> = previous
            .map(|p| {
                p.sends
                    .iter()
                    .copied()
                    .filter(|t| *t > now - SEND_WINDOW_MS)
                    .collect()
            })
            .unwrap_or_default();
        if recent.len() >= MAX_SENDS_PER_WINDOW {
            let oldest = recent.iter().copied().min().unwrap_or(now);
            let wait_ms = (oldest + SEND_WINDOW_MS - now).max(1000);
            return Err(StartError::TooManySends {
                retry_after_secs: (wait_ms as u64).div_ceil(1000),
            });
        }
        recent.push(now);
        let version = previous.map_or(0, |p| p.version);
        let next = SendsItem {
            pk: pk.clone(),
            sk: keys::SENDS_SK.into(),
            sends: recent,
            current_challenge: item.id,
            version: version + 1,
            ttl: (now + SEND_WINDOW_MS) / 1000 + 60,
        };
        let condition = if previous.is_some() {
            "#version = :v"
        } else {
            "attribute_not_exists(pk)"
        };
        let put = aws_sdk_dynamodb::types::Put::builder()
            .table_name(app.table())
            .set_item(Some(to_item(&next)?))
            .condition_expression(condition)
            .set_expression_attribute_values(
                previous.map(|_| HashMap::from([(":v".to_string(), n(version))])),
            )
            .set_expression_attribute_names(
                previous.map(|_| HashMap::from([("#version".to_string(), "version".to_string())])),
            )
            .build()
            .map_err(|e| StoreError::Other(e.to_string()))?;
        writes.push(TransactWriteItem::builder().put(put).build());
    }
    app.db
        .transact_write_items()
        .set_transact_items(Some(writes))
        .send()
        .await
        .map_err(StoreError::from)?;
    Ok(())
}

async fn read_sends(
    app: &App,
    destinations: &[Destination],
) -> Result<HashMap<String, SendsItem>, StoreError> {
    let keys_list: Vec<Item> = destinations
        .iter()
        .map(|d| dynamo::key(keys::sends_pk(&d.key()), keys::SENDS_SK))
        .collect();
    dynamo::batch_get(&app.db, app.table(), keys_list, true)
        .await?
        .into_iter()
        .map(|item| {
            let sends: SendsItem = dynamo::from_item(item)?;
            Ok((sends.pk.clone(), sends))
        })
        .collect()
}

/// Counts one check against the challenge (atomically, before comparing) and compares the
/// given codes, one per stored slot, by channel (a code field named `sms_code` answers the
/// `sms` slot; any other name answers the first slot). At most two `purposes` are accepted. On success the caller must still
/// [`consume`] the challenge in its own transaction.
pub async fn check(
    app: &App,
    challenge: &ChallengeId,
    purposes: &[&str],
    codes: &[(&'static str, Option<&str>)],
) -> Result<ChallengeItem, CheckError> {
    for (field, code) in codes {
        if !code.is_some_and(looks_like_code) {
            return Err(CheckError::Malformed(field));
        }
    }
    let pepper = pepper(app)?;
    let now = app.now_ms();
    let result = app
        .db
        .update_item()
        .table_name(app.table())
        .set_key(Some(dynamo::key(keys::challenge_pk(challenge), keys::CHALLENGE_SK)))
        .update_expression("SET #attempts = #attempts + :one")
        .condition_expression(
            "attribute_exists(pk) AND #purpose IN (:p0, :p1) AND #consumed = :no AND #attempts < :max AND #expires_at > :now",
        )
        .expression_attribute_names("#attempts", "attempts")
        .expression_attribute_names("#purpose", "purpose")
        .expression_attribute_names("#consumed", "consumed")
        .expression_attribute_names("#expires_at", "expires_at")
        .expression_attribute_values(":one", n(1))
        .expression_attribute_values(":p0", s(purposes.first().copied().unwrap_or("")))
        .expression_attribute_values(":p1", s(purposes.get(1).copied().unwrap_or("")))
        .expression_attribute_values(":no", bool_av(false))
        .expression_attribute_values(":max", n(MAX_CODE_CHECKS))
        .expression_attribute_values(":now", n(now))
        .return_values(ReturnValue::AllNew)
        .send()
        .await;
    let item: ChallengeItem = match result {
        Ok(out) => dynamo::from_item(out.attributes.unwrap_or_default())?,
        Err(err) => {
            return Err(match StoreError::from(err) {
                StoreError::ConditionFailed => why_refused(app, challenge, purposes, now).await?,
                other => CheckError::Store(other),
            })
        }
    };
    let challenge_text = challenge.to_string();
    let all_match = item.codes.len() == codes.len()
        && item.codes.iter().all(|slot| {
            codes
                .iter()
                .find(|(field, _)| field.starts_with(slot.channel.as_str()) || codes.len() == 1)
                .and_then(|(_, code)| *code)
                .is_some_and(|code| {
                    let hash = code_hash(
                        pepper,
                        &challenge_text,
                        &item.purpose,
                        &slot.destination,
                        code,
                    );
                    hashes_equal(&hash, &slot.hash)
                })
        });
    if all_match {
        Ok(item)
    } else {
        Err(CheckError::WrongCode {
            attempts_left: MAX_CODE_CHECKS.saturating_sub(item.attempts),
        })
    }
}

/// Explains a refused check with a consistent read (only on the failure path).
async fn why_refused(
    app: &App,
    challenge: &ChallengeId,
    purposes: &[&str],
    now: i64,
) -> Result<CheckError, StoreError> {
    let out = app
        .db
        .get_item()
        .table_name(app.table())
        .set_key(Some(dynamo::key(
            keys::challenge_pk(challenge),
            keys::CHALLENGE_SK,
        )))
        .consistent_read(true)
        .send()
        .await?;
    let Some(item) = out.item else {
        return Ok(CheckError::NotFound);
    };
    let item: ChallengeItem = dynamo::from_item(item)?;
    Ok(if !purposes.contains(&item.purpose.as_str()) {
        CheckError::NotFound
    } else if item.consumed {
        CheckError::Used
    } else if item.attempts >= MAX_CODE_CHECKS {
        CheckError::Locked
    } else if item.expires_at <= now {
        CheckError::Expired
    } else {
        CheckError::NotFound
    })
}

/// The transaction items that use up a verified challenge: mark it consumed (still unexpired
/// and unused) and check that it is still each destination's current challenge. Put these
/// first in the caller's transaction; [`consume_failure`] explains a cancellation.
pub fn consume(app: &App, item: &ChallengeItem) -> Result<Vec<TransactWriteItem>, StoreError> {
    let now = app.now_ms();
    let update = Update::builder()
        .table_name(app.table())
        .set_key(Some(dynamo::key(item.pk.clone(), item.sk.clone())))
        .update_expression("SET #consumed = :yes")
        .condition_expression("#consumed = :no AND #expires_at > :now")
        .expression_attribute_names("#consumed", "consumed")
        .expression_attribute_names("#expires_at", "expires_at")
        .expression_attribute_values(":yes", bool_av(true))
        .expression_attribute_values(":no", bool_av(false))
        .expression_attribute_values(":now", n(now))
        .build()
        .map_err(|e| StoreError::Other(e.to_string()))?;
    let mut writes = vec![TransactWriteItem::builder().update(update).build()];
    for slot in &item.codes {
        let check = ConditionCheck::builder()
            .table_name(app.table())
            .set_key(Some(dynamo::key(
                keys::sends_pk(&slot.destination),
                keys::SENDS_SK,
            )))
            .condition_expression("#current = :c")
            .expression_attribute_names("#current", "current_challenge")
            .expression_attribute_values(":c", s(item.id.to_string()))
            .build()
            .map_err(|e| StoreError::Other(e.to_string()))?;
        writes.push(TransactWriteItem::builder().condition_check(check).build());
    }
    Ok(writes)
}

/// Maps a cancelled transaction that began with [`consume`]'s items to the reason, if the
/// challenge is what failed.
pub fn consume_failure(item: &ChallengeItem, err: &StoreError) -> Option<CheckError> {
    if err.failed_at(0) {
        return Some(CheckError::Used);
    }
    (1..=item.codes.len())
        .any(|i| err.failed_at(i))
        .then_some(CheckError::Replaced)
}
