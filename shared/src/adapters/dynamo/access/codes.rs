//! Challenges (`CHAL#c` / `#CHAL`) and per-destination send windows (`SENDS#dest` /
//! `#SENDS`, naming the destination's current challenge), read and written with the
//! rate windows a start spends (`limits.rs`).

use super::{get_item, limits};
use crate::access::codes::{Challenge, CodePurpose, CodeSlot};
use crate::access::guessing::RUN_KIND;
use crate::access::rate_limit::Budget;
use crate::access::window::Window;
use crate::adapters::dynamo::{
    batch_get, bool_av, from_item, key, keys, n, s, Dynamo, Expr, StoreError, Tx, TxError,
};
use crate::domain::ids::ChallengeId;
use crate::domain::secrets::{MAX_CODE_CHECKS, SEND_WINDOW_MS};
use crate::ports::access::ChallengeStore;
use async_trait::async_trait;
use aws_sdk_dynamodb::types::ReturnValue;
use serde::{Deserialize, Serialize};

/// The slot of the consuming update in a transaction built with [`consume_challenge`].
pub const CHALLENGE_SLOT: &str = "challenge";
/// The slots that require the challenge to still be each destination's current one.
pub const CURRENT_CODE_SLOT: &str = "current_code";

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ChallengeItem {
    pub pk: String,
    pub sk: String,
    pub id: ChallengeId,
    pub purpose: CodePurpose,
    pub codes: Vec<CodeSlot>,
    pub attempts: u32,
    pub consumed: bool,
    pub expires_at: i64,
    pub ttl: i64,
    pub payload: String,
}

impl ChallengeItem {
    fn new(challenge: &Challenge) -> Self {
        Self {
            pk: keys::challenge_pk(&challenge.id),
            sk: keys::CHALLENGE_SK.into(),
            id: challenge.id,
            purpose: challenge.purpose,
            codes: challenge.codes.clone(),
            attempts: challenge.attempts,
            consumed: challenge.consumed,
            expires_at: challenge.expires_at,
            // Kept an hour past expiry so a late check still explains itself.
            ttl: challenge.expires_at / 1000 + 3600,
            payload: challenge.payload.clone(),
        }
    }

    pub fn into_challenge(self) -> Challenge {
        Challenge {
            id: self.id,
            purpose: self.purpose,
            codes: self.codes,
            attempts: self.attempts,
            consumed: self.consumed,
            expires_at: self.expires_at,
            payload: self.payload,
        }
    }
}

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

/// The condition of a window written at `version`: created if it is the first version,
/// else unchanged since it was read.
pub(super) fn window_condition(version: u64) -> Expr {
    if version <= 1 {
        return Expr::absent();
    }
    let mut e = Expr::new("#version = :v");
    e.name("#version", "version").value(":v", n(version - 1));
    e
}

/// A refused slot of a window write is a lost race: the caller re-reads and retries.
pub(super) fn race_lost(err: TxError) -> StoreError {
    match err {
        TxError::Refused(_) => StoreError::ConditionFailed,
        TxError::Store(e) => e,
    }
}

/// Adds the writes that use up a verified challenge to `tx`: mark it consumed (still
/// unexpired and unused; slot [`CHALLENGE_SLOT`]), require it to still be each
/// destination's current challenge (slots [`CURRENT_CODE_SLOT`]) and end each
/// destination's run of wrong codes (slots `run_reset`, unconditional).
pub fn consume_challenge(tx: &mut Tx, challenge: &Challenge, now: i64) -> Result<(), StoreError> {
    let mut consume = Expr::new("#consumed = :no AND #expires_at > :now");
    consume
        .name("#consumed", "consumed")
        .name("#expires_at", "expires_at")
        .value(":yes", bool_av(true))
        .value(":no", bool_av(false))
        .value(":now", n(now));
    tx.update(
        CHALLENGE_SLOT,
        key(keys::challenge_pk(&challenge.id), keys::CHALLENGE_SK),
        "SET #consumed = :yes",
        consume,
    )?;
    for slot in &challenge.codes {
        let mut current = Expr::new("#current = :c");
        current
            .name("#current", "current_challenge")
            .value(":c", s(challenge.id.to_string()));
        tx.check(
            CURRENT_CODE_SLOT,
            key(keys::sends_pk(&slot.destination), keys::SENDS_SK),
            current,
        )?;
        // A right code ends the destination's run of failures (`access::guessing`).
        tx.delete("run_reset", run_key(&slot.destination), None)?;
    }
    Ok(())
}

/// The key of a destination's run of wrong codes in a row.
pub(super) fn run_key(destination: &str) -> crate::adapters::dynamo::Item {
    key(keys::rate_pk(RUN_KIND, destination), keys::RATE_SK)
}

#[async_trait]
impl ChallengeStore for Dynamo {
    async fn send_windows(
        &self,
        destinations: &[String],
        budgets: &[Budget],
    ) -> Result<(Vec<Window>, Vec<Window>), StoreError> {
        let mut wanted: Vec<_> = destinations
            .iter()
            .map(|d| key(keys::sends_pk(d), keys::SENDS_SK))
            .collect();
        wanted.extend(budgets.iter().map(limits::rate_key));
        let (rates, sends): (Vec<_>, Vec<_>) = batch_get(self.client(), self.table(), wanted, true)
            .await?
            .into_iter()
            .partition(limits::is_rate_item);
        let found: Vec<SendsItem> = sends.into_iter().map(from_item).collect::<Result<_, _>>()?;
        let sends = destinations
            .iter()
            .map(|d| {
                let pk = keys::sends_pk(d);
                found
                    .iter()
                    .find(|item| item.pk == pk)
                    .map(|item| Window {
                        hits: item.sends.clone(),
                        version: item.version,
                    })
                    .unwrap_or_default()
            })
            .collect();
        Ok((sends, limits::windows_of(budgets, rates)?))
    }

    async fn store_challenge(
        &self,
        challenge: &Challenge,
        windows: &[(String, Window)],
        budgets: &[(Budget, Window)],
        now: i64,
    ) -> Result<(), StoreError> {
        let mut tx = Tx::new();
        tx.put_new(CHALLENGE_SLOT, &ChallengeItem::new(challenge))?;
        for (destination, window) in windows {
            let item = SendsItem {
                pk: keys::sends_pk(destination),
                sk: keys::SENDS_SK.into(),
                sends: window.hits.clone(),
                current_challenge: challenge.id,
                version: window.version,
                ttl: (now + SEND_WINDOW_MS) / 1000 + 60,
            };
            tx.put_if("sends", &item, window_condition(window.version))?;
        }
        limits::put_windows(&mut tx, budgets, now)?;
        self.commit(tx).await.map_err(race_lost)
    }

    async fn count_check(
        &self,
        id: &ChallengeId,
        purposes: &[CodePurpose],
        max_checks: u32,
        now: i64,
    ) -> Result<Option<Challenge>, StoreError> {
        let placeholders: Vec<String> = (0..purposes.len().max(1))
            .map(|i| format!(":p{i}"))
            .collect();
        let mut expr = Expr::new(format!(
            "attribute_exists(#pk) AND #purpose IN ({}) AND #consumed = :no AND #attempts < :max AND #expires_at > :now",
            placeholders.join(", ")
        ));
        expr.name("#pk", "pk")
            .name("#attempts", "attempts")
            .name("#purpose", "purpose")
            .name("#consumed", "consumed")
            .name("#expires_at", "expires_at")
            .value(":one", n(1))
            .value(":no", bool_av(false))
            .value(":max", n(max_checks))
            .value(":now", n(now));
        for (i, placeholder) in placeholders.iter().enumerate() {
            let purpose = purposes.get(i).map_or("", |p| p.as_str());
            expr.value(placeholder, s(purpose));
        }
        let result = self
            .client()
            .update_item()
            .table_name(self.table())
            .set_key(Some(key(keys::challenge_pk(id), keys::CHALLENGE_SK)))
            .update_expression("SET #attempts = #attempts + :one")
            .set_condition_expression(expr.text_opt())
            .set_expression_attribute_names(expr.names_opt())
            .set_expression_attribute_values(expr.values_opt())
            .return_values(ReturnValue::AllNew)
            .send()
            .await
            .map_err(StoreError::from);
        match result {
            Ok(out) => {
                let item: ChallengeItem = from_item(out.attributes.unwrap_or_default())?;
                Ok(Some(item.into_challenge()))
            }
            Err(StoreError::ConditionFailed) => Ok(None),
            Err(other) => Err(other),
        }
    }

    async fn challenge(&self, id: &ChallengeId) -> Result<Option<Challenge>, StoreError> {
        let item: Option<ChallengeItem> =
            get_item(self, keys::challenge_pk(id), keys::CHALLENGE_SK, true).await?;
        Ok(item.map(ChallengeItem::into_challenge))
    }

    async fn record_failure(
        &self,
        windows: &[(Budget, Window)],
        close: Option<&ChallengeId>,
        now: i64,
    ) -> Result<(), StoreError> {
        let mut tx = Tx::new();
        limits::put_windows(&mut tx, windows, now)?;
        if let Some(id) = close {
            let mut spent = Expr::new("attribute_exists(#pk)");
            spent
                .name("#pk", "pk")
                .name("#attempts", "attempts")
                .value(":max", n(MAX_CODE_CHECKS));
            tx.update(
                "close",
                key(keys::challenge_pk(id), keys::CHALLENGE_SK),
                "SET #attempts = :max",
                spent,
            )?;
        }
        self.commit(tx).await.map_err(race_lost)
    }
}
