//! Sending an invite: SMS and/or email to the destinations on the invite, carrying only the
//! practice name and the `/i/{token}` URL (texts in `canopy_shared::texts`). Each channel's
//! outcome is recorded on the invite; a failure leaves the invite intact for a resend.

use canopy_shared::adapters::dynamo::{s, StoreError};
use canopy_shared::invites::{InviteItem, SendOutcome, SendResult, SendResults};
use canopy_shared::{texts, App};

/// Sends on every channel the invite has (concurrently) and returns each outcome.
pub async fn deliver(app: &App, invite: &InviteItem, token: &str) -> SendResults {
    let url = format!("{}/i/{token}", app.settings.link_base_url);
    let sms = async {
        match &invite.phone {
            Some(phone) => {
                let (_, text) = texts::invite_sms(&invite.practice_name, &url);
                Some(app.sms.send_sms(phone, &text).await)
            }
            None => None,
        }
    };
    let email = async {
        match &invite.email {
            Some(email) => {
                let (subject, body) = texts::invite_email(&invite.practice_name, &url);
                Some(app.email.send_email(email, &subject, &body).await)
            }
            None => None,
        }
    };
    let (sms, email) = tokio::join!(sms, email);
    let now = app.now_ms();
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

/// Records the outcomes on the invite, unless a resend has replaced the token meanwhile
/// (its own results win). A store failure is logged: the invite itself is already safe.
pub async fn record(app: &App, invite: &InviteItem, results: &SendResults) {
    let value = match serde_dynamo::to_attribute_value(results) {
        Ok(v) => v,
        Err(_) => return,
    };
    let outcome = app
        .db
        .update_item()
        .table_name(app.table())
        .set_key(Some(InviteItem::key_for(&invite.org_id, &invite.id)))
        .update_expression("SET #sends = :sends")
        .condition_expression("#token_hash = :h")
        .expression_attribute_names("#sends", "sends")
        .expression_attribute_names("#token_hash", "token_hash")
        .expression_attribute_values(":sends", value)
        .expression_attribute_values(":h", s(invite.token_hash.clone()))
        .send()
        .await
        .map_err(StoreError::from);
    if let Err(err) = outcome {
        if err != StoreError::ConditionFailed {
            tracing::warn!(error = %err, invite = %invite.id, "invite send results not recorded");
        }
    }
}
