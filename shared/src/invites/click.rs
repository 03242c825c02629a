//! An invite's token as a click or a signup presents it (`GET /i/{token}`, the download
//! text, signup start): malformed and unknown (or replaced) tokens are not found; expired
//! or used ones are gone.
//!
//! Round trips: 1 GetItem; malformed tokens never reach the table.

use super::model::{InviteToken, TokenState};
use crate::adapters::dynamo::StoreError;
use crate::domain::secrets::{looks_like_token, token_hash};
use crate::ports::invites::InviteStore;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TokenError {
    #[error("no such invite")]
    NotFound,
    #[error("the invite has expired or was already used")]
    Gone,
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// The token's invite, whatever its state (None: malformed or unknown).
pub async fn find_token(
    store: &impl InviteStore,
    token: &str,
) -> Result<Option<InviteToken>, StoreError> {
    if !looks_like_token(token) {
        return Ok(None);
    }
    store.token(&token_hash(token)).await
}

/// The token's invite if it can still be used at `now`.
pub async fn usable_token(
    store: &impl InviteStore,
    token: &str,
    now: i64,
) -> Result<InviteToken, TokenError> {
    let invite = find_token(store, token)
        .await?
        .ok_or(TokenError::NotFound)?;
    match invite.state(now) {
        TokenState::Usable => Ok(invite),
        TokenState::Gone => Err(TokenError::Gone),
    }
}
