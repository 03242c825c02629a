//! CloudFormation custom resources, played once when the dev server starts, as a deploy
//! runs them: each `Custom::SmsSpendLimit` in `template.yaml` invokes the real handler
//! (`fn_sms_spend_limit`) with a Create request built from its properties (a `!Ref` takes
//! the parameter's default), against moto. There is no CloudFormation to answer: the reply
//! it would wait for at its S3 response URL is logged instead ([`LoggedReply`]).

use crate::template::Template;
use async_trait::async_trait;
use aws_lambda_events::event::cloudformation::CloudFormationCustomResourceRequest;
use fn_sms_spend_limit::limits::AwsSpendLimits;
use fn_sms_spend_limit::reply::Replier;
use serde_json::{Map, Value};

/// The local stand-in for CloudFormation's response bucket.
pub struct LoggedReply;

#[async_trait]
impl Replier for LoggedReply {
    async fn reply(&self, _url: &str, body: &Value) -> Result<(), String> {
        tracing::info!(reply = %body, "custom resource replied");
        Ok(())
    }
}

/// The Create request CloudFormation would send for the resource `logical_id`.
pub fn create_request(
    template: &Template,
    logical_id: &str,
    resource: &serde_yaml::Value,
) -> Value {
    let mut properties = Map::new();
    if let Some(map) = resource.get("Properties").and_then(|p| p.as_mapping()) {
        for (k, v) in map {
            let (Some(k), Some(v)) = (k.as_str(), template.property_value(v)) else {
                continue;
            };
            properties.insert(k.to_string(), Value::String(v));
        }
    }
    serde_json::json!({
        "RequestType": "Create",
        "RequestId": ulid::Ulid::new().to_string(),
        "ResponseURL": "local://cloudformation-response",
        "StackId": "arn:aws:cloudformation:us-east-1:123456789012:stack/canopy-local/local",
        "ResourceType": resource.get("Type").and_then(|t| t.as_str()).unwrap_or_default(),
        "LogicalResourceId": logical_id,
        "ResourceProperties": properties,
    })
}

/// Runs every SMS spend-limit resource of the template; answers the replies.
pub async fn deploy(template: &Template) -> Result<Vec<Value>, String> {
    let resources = template.resources_of_type("Custom::SmsSpendLimit");
    if resources.is_empty() {
        return Ok(Vec::new());
    }
    let limits = AwsSpendLimits::from_env().await?;
    let mut replies = Vec::new();
    for (id, resource) in resources {
        let request = create_request(template, &id, resource);
        let request: CloudFormationCustomResourceRequest = serde_json::from_value(request)
            .map_err(|e| format!("{id}: not a custom-resource request: {e}"))?;
        replies.push(fn_sms_spend_limit::handle(&limits, &LoggedReply, request).await?);
    }
    Ok(replies)
}
