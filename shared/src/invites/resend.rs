//! Resend an invite (`POST /v1/invites/{id}/resend`): a fresh token (the old one stops
//! working at once: its item is deleted in the same transaction that records the new one),
//! sent again to the invite's destinations. At most 3 resends per invite per hour. A resend
//! also revives an expired invite: the new token has a fresh 7 days.
//!
//! Each resend also spends the practice's, the contact's and the deployment's invite
//! budgets, and texts only numbers of the deployment's SMS countries
//! ([`super::rules::InviteBudgets`]).
//!
//! Round trips: 1 GetItem (the record) + the budgets (1 BatchGetItem + 1
//! TransactWriteItems) + 1 TransactWriteItems + 1 UpdateItem (send results).

use super::deliver::{send_and_record, Outbox};
use super::model::{Invite, InviteStatus, INVITE_LIFETIME_MS};
use super::rules::SpendRefused;
use crate::access::send_budgets::CountryNotAllowed;
use crate::adapters::dynamo::StoreError;
use crate::domain::caller::{Caller, NotAllowed};
use crate::domain::ids::InviteId;
use crate::domain::secrets::{new_token, token_hash};
use crate::ports::access::RateLimitStore;
use crate::ports::invites::{InviteStore, InviteWriteError};

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ResendInviteError {
    #[error(transparent)]
    NotAllowed(#[from] NotAllowed),
    /// Unknown, another practice's, or routed to a link the caller does not see.
    #[error("no such invite")]
    NotFound,
    #[error("the patient has already accepted this invite")]
    Accepted,
    /// The invite's phone is outside the deployment's SMS countries (the list changed).
    #[error(transparent)]
    UnsupportedCountry(#[from] CountryNotAllowed),
    #[error("too many resends; retry in {retry_after_secs} s")]
    TooMany { retry_after_secs: u64 },
    /// Accepted or resent by someone else meanwhile.
    #[error("the invite changed meanwhile")]
    Changed,
    #[error(transparent)]
    Store(#[from] StoreError),
}

pub async fn resend_invite(
    store: &(impl InviteStore + RateLimitStore),
    outbox: &Outbox<'_>,
    caller: &Caller,
    id: &InviteId,
    now: i64,
    request_id: &str,
) -> Result<Invite, ResendInviteError> {
    let org = caller.staff_org()?;
    let invite = store
        .invite(&org, id)
        .await?
        .filter(|i| caller.sees_link(i.link_id.as_ref()))
        .ok_or(ResendInviteError::NotFound)?;
    if invite.status != InviteStatus::Pending {
        return Err(ResendInviteError::Accepted);
    }
    if let Some(wait_ms) = invite.resend_wait_ms(now) {
        return Err(ResendInviteError::TooMany {
            retry_after_secs: (wait_ms as u64).div_ceil(1000),
        });
    }
    if let Some(phone) = &invite.phone {
        outbox.budgets.check_country(phone)?;
    }
    match outbox
        .budgets
        .spend(store, &org, &invite.contact_id, now)
        .await
    {
        Ok(()) => {}
        Err(SpendRefused::Limited { retry_after_secs }) => {
            return Err(ResendInviteError::TooMany { retry_after_secs })
        }
        Err(SpendRefused::Store(e)) => return Err(e.into()),
    }
    let token = new_token();
    let mut resends = invite.recent_resends(now);
    resends.push(now);
    let renewed = Invite {
        token_hash: token_hash(&token),
        expires_at: now + INVITE_LIFETIME_MS,
        resends,
        ..invite.clone()
    };
    let targets = vec![id.to_string(), renewed.contact_id.to_string()];
    let audit = crate::links::staff_audit(caller, &org, "invite.resend", targets, request_id);
    match store.renew_token(&invite, &renewed, &audit, now).await {
        Ok(()) => {}
        Err(InviteWriteError::Refused) => return Err(ResendInviteError::Changed),
        Err(InviteWriteError::Store(e)) => return Err(e.into()),
    }
    Ok(send_and_record(store, outbox, renewed, &token, now).await)
}
