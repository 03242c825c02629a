//! The DynamoDB side of the access aggregate: sessions, one-time-code challenges and their
//! send windows, rate-limit windows, `Idempotency-Key` records and audit items. Each
//! submodule holds its items (with their keys, from [`super::keys`]) and its port's
//! implementation for [`Dynamo`]; [`consume_challenge`] and [`put_session`] add their
//! writes to another aggregate's [`super::Tx`] (a sign-in consumes its code and creates its
//! session in the transaction that signs in).

mod audit;
mod caller;
mod caller_proof;
mod codes;
mod idempotency;
pub mod legacy;
mod limits;
mod sessions;

pub use audit::audit_item;
pub use caller::bump_access_version;
pub use caller_proof::{
    check_own_items, check_session, is_caller_slot, practice_key, practice_version_holds,
    CALLER_MEMBER_SLOT, CALLER_PRACTICE_SLOT, CALLER_SESSION_SLOT,
};
pub use codes::{consume_challenge, ChallengeItem, CHALLENGE_SLOT, CURRENT_CODE_SLOT};
pub use sessions::{put_session, SessionItem, SESSION_SLOT};

use super::{from_item, key, Dynamo, StoreError};
use serde::de::DeserializeOwned;

/// One item by key, deserialised (`consistent`: a strongly consistent read).
pub(crate) async fn get_item<T: DeserializeOwned>(
    store: &Dynamo,
    pk: String,
    sk: &str,
    consistent: bool,
) -> Result<Option<T>, StoreError> {
    let out = store
        .client()
        .get_item()
        .table_name(store.table())
        .set_key(Some(key(pk, sk)))
        .consistent_read(consistent)
        .send()
        .await?;
    out.item.map(from_item).transpose()
}
