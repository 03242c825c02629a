//! The SMS spend limit as a CloudFormation custom resource (SECURITY.md: "set a monthly SMS
//! spend limit"). CloudFormation has no resource type for the account's SMS spend limits,
//! so the template declares `Custom::SmsSpendLimit` with this function as its service token,
//! and every deploy (Create, Update) sets the limit from the stack parameter
//! `SmsMonthlySpendLimitUsd`. A limit reached stops SMS for the month instead of billing a
//! pumping attack without end; the send budgets (`access::send_budgets`) keep ordinary abuse
//! far below it.
//!
//! - Create/Update: both limits are set ([`limits::SpendLimits`]); then SUCCESS.
//! - Delete: nothing is changed (the account keeps its limit once the stack is gone: a
//!   deleted stack must not remove a protection the account may rely on); SUCCESS.
//! - Anything wrong (a bad property, a refused call): FAILED with the reason, so the deploy
//!   stops and rolls back instead of running without a limit.
//!
//! CloudFormation waits for the reply at the presigned `ResponseURL` ([`reply`]); it is
//! always sent, or the stack would hang for an hour.

pub mod limits;
pub mod reply;

use aws_lambda_events::event::cloudformation::CloudFormationCustomResourceRequest as Request;
use limits::SpendLimits;
use reply::{Outcome, Replier};
use serde::Deserialize;
use serde_json::{json, Value};

/// The resource's one physical id: there is one spend limit per account and region.
pub const PHYSICAL_ID: &str = "sms-spend-limit";

/// The properties the template passes (CloudFormation sends every scalar as a string).
#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Properties {
    monthly_spend_limit_usd: String,
}

/// A monthly limit in whole US dollars: 1 to 100,000 (above that is a typo, not a budget).
pub fn parse_limit(properties: &Value) -> Result<u32, String> {
    let p: Properties = serde_json::from_value(properties.clone())
        .map_err(|_| "MonthlySpendLimitUsd is required".to_string())?;
    match p.monthly_spend_limit_usd.trim().parse::<u32>() {
        Ok(usd) if (1..=100_000).contains(&usd) => Ok(usd),
        _ => Err(format!(
            "MonthlySpendLimitUsd must be a whole number of dollars from 1 to 100000, not {:?}",
            p.monthly_spend_limit_usd
        )),
    }
}

/// Handles one custom-resource request and replies to CloudFormation; answers what was
/// replied (also returned to Lambda, for the logs).
pub async fn handle(
    limits: &dyn SpendLimits,
    replier: &dyn Replier,
    request: Request,
) -> Result<Value, String> {
    let (outcome, target) = match &request {
        Request::Create(r) => (
            apply(limits, &r.resource_properties).await,
            Target::of_create(r),
        ),
        Request::Update(r) => (
            apply(limits, &r.resource_properties).await,
            Target::of_update(r),
        ),
        Request::Delete(r) => (Ok(json!({})), Target::of_delete(r)),
        _ => return Err("an unknown custom-resource request type".into()),
    };
    let outcome = match outcome {
        Ok(data) => Outcome::Success(data),
        Err(reason) => {
            tracing::error!(reason = %reason, "sms spend limit not set");
            Outcome::Failed(reason)
        }
    };
    let body = reply::body(
        &outcome,
        &target.stack_id,
        &target.request_id,
        &target.logical_id,
    );
    replier.reply(&target.response_url, &body).await?;
    Ok(body)
}

async fn apply(limits: &dyn SpendLimits, properties: &Value) -> Result<Value, String> {
    let usd = parse_limit(properties)?;
    let set = limits.set_monthly_limit(usd).await?;
    tracing::info!(usd, channels = ?set, "sms spend limit set");
    Ok(json!({"MonthlySpendLimitUsd": usd, "Channels": set}))
}

/// Where and for what the reply goes.
struct Target {
    response_url: String,
    stack_id: String,
    request_id: String,
    logical_id: String,
}

macro_rules! target_of {
    ($name:ident, $ty:ty) => {
        fn $name(r: &$ty) -> Target {
            Target {
                response_url: r.response_url.clone(),
                stack_id: r.stack_id.clone(),
                request_id: r.request_id.clone(),
                logical_id: r.logical_resource_id.clone(),
            }
        }
    };
}

impl Target {
    target_of!(
        of_create,
        aws_lambda_events::event::cloudformation::CreateRequest
    );
    target_of!(
        of_update,
        aws_lambda_events::event::cloudformation::UpdateRequest
    );
    target_of!(
        of_delete,
        aws_lambda_events::event::cloudformation::DeleteRequest
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_limit_is_whole_dollars_from_one_to_a_hundred_thousand() {
        let limit = |v: &str| parse_limit(&json!({"MonthlySpendLimitUsd": v}));
        assert_eq!(limit("100"), Ok(100));
        assert_eq!(limit(" 1 "), Ok(1));
        assert_eq!(limit("100000"), Ok(100_000));
        for bad in ["0", "-5", "12.5", "100001", "", "lots"] {
            assert!(limit(bad).is_err(), "{bad}");
        }
        assert!(parse_limit(&json!({})).is_err());
    }
}
