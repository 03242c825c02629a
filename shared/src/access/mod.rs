//! # The access aggregate: who may come in, and what they leave behind
//!
//! Sessions, one-time codes, rate limits, `Idempotency-Key` records and the audit trail:
//! the machinery every flow leans on. Model and rules here, storage behind
//! [`crate::ports::access`], items in `adapters::dynamo::access`.
//!
//! | module | what | round trips |
//! |---|---|---|
//! | [`codes`] | challenge model, code purposes, code matching | — |
//! | [`start_code`] | spend the send budget, store, deliver | BatchGetItem + TransactWriteItems |
//! | [`check_code`] | count a check, then compare | UpdateItem (+ GetItem when refused) |
//! | [`guessing`] | wrong codes per destination across challenges; the lock | (with the challenge's; wrong code: + BatchGetItem + TransactWriteItems) |
//! | [`sessions`] | issue (in the sign-in's transaction), resolve (slides a patient's expiry), list, end, rotate per device | GetItem (+ UpdateItem at most hourly); Query + DeleteItem |
//! | [`authorize`] | token → [`crate::domain::caller::Caller`] | GetItem; for staff one BatchGetItem (session, membership, practice item) |
//! | [`proof`] | a patient's token, or a staff token [`proven_staff`] remembers, proven inside the route's own write | (ConditionChecks in that TransactWriteItems) |
//! | [`proven_staff`] | staff callers this process resolved, with the practice's access version | — |
//! | [`rate_limit`] | spend several budgets, all or none | BatchGetItem + TransactWriteItems |
//! | [`send_budgets`] | public code sends: per address, link, globally; SMS countries | (spent in the challenge's round trips) |
//! | [`idempotency`] | claim a key, replay its answer | PutItem (+ GetItem), then UpdateItem/DeleteItem |
//! | [`audit`] | the audit event; standalone writes for reads | PutItem |

pub mod audit;
pub mod authorize;
pub mod check_code;
pub mod codes;
pub mod guessing;
pub mod idempotency;
pub mod pepper;
pub mod proof;
pub mod proven_staff;
pub mod rate_limit;
pub mod send_budgets;
pub mod sessions;
pub mod start_code;
pub mod window;

use crate::adapters::dynamo::StoreError;
use crate::app::App;
use start_code::Couriers;

/// The code pepper ([`pepper::Pepper`]); a function deployed without it cannot make or
/// check codes. An unreachable secret store answers 503, a misconfigured secret 500.
pub async fn pepper(app: &App) -> Result<&[u8], StoreError> {
    app.pepper.get().await.map_err(|e| match e {
        pepper::PepperError::Unreadable(crate::ports::secrets::SecretError::Unavailable(_)) => {
            StoreError::Unavailable
        }
        other => StoreError::Other(other.to_string()),
    })
}

/// The app's gateways with Canopy's code texts ([`crate::texts::code_for`]).
pub fn couriers(app: &App) -> Couriers<'_> {
    Couriers {
        sms: app.sms.as_ref(),
        email: app.email.as_ref(),
        compose: &crate::texts::code_for,
    }
}
