//! Sending an invite: SMS and/or email to the destinations on the invite, carrying only the
//! practice name and the `/i/{token}` URL (texts in `crate::texts`). Each channel's outcome
//! is recorded on the invite; a failure leaves the invite intact for a resend.

use super::model::{Invite, SendOutcome, SendResult, SendResults};
use crate::ports::invites::InviteStore;
use crate::ports::{Email, Sms};
use crate::texts;

/// Where invites go out: the SMS and email gateways, the link domain's base URL, and the
/// budgets every send spends first ([`super::rules::InviteBudgets`]).
pub struct Outbox<'a> {
    pub sms: &'a dyn Sms,
    pub email: &'a dyn Email,
    pub link_base_url: &'a str,
    pub budgets: &'a super::rules::InviteBudgets,
}

/// Sends on every channel the invite has (concurrently) and returns each outcome.
pub async fn deliver(outbox: &Outbox<'_>, invite: &Invite, token: &str, now: i64) -> SendResults {
    let url = format!("{}/i/{token}", outbox.link_base_url);
    let sms = async {
        match &invite.phone {
            Some(phone) => {
                let (_, text) = texts::invite_sms(&invite.practice_name, &url);
                Some(outbox.sms.send_sms(phone, &text).await)
            }
            None => None,
        }
    };
    let email = async {
        match &invite.email {
            Some(email) => {
                let (subject, body) = texts::invite_email(&invite.practice_name, &url);
                Some(outbox.email.send_email(email, &subject, &body).await)
            }
            None => None,
        }
    };
    let (sms, email) = tokio::join!(sms, email);
    let result = |r: Option<Result<(), _>>| {
        r.map(|r| SendResult {
            outcome: SendOutcome::from(&r),
            at: now,
        })
    };
    SendResults {
        sms: result(sms),
        email: result(email),
    }
}

/// Sends the invite and records the outcomes on it; the invite comes back with them. A
/// store failure while recording is logged: the invite itself is already safe.
pub async fn send_and_record(
    store: &impl InviteStore,
    outbox: &Outbox<'_>,
    invite: Invite,
    token: &str,
    now: i64,
) -> Invite {
    let sends = deliver(outbox, &invite, token, now).await;
    if let Err(err) = store.record_sends(&invite, &sends).await {
        tracing::warn!(error = %err, invite = %invite.id, "invite send results not recorded");
    }
    Invite { sends, ..invite }
}
