//! DynamoDB Streams records (as the SDK returns them from DynamoDB Local) → the JSON
//! records Lambda delivers to a stream-triggered function (`aws_lambda_events`'
//! `dynamodb::Event`). DynamoDB Local leaves out `eventSourceARN`; the poller adds it, as
//! Lambda's poller does.

use aws_sdk_dynamodbstreams::types::{AttributeValue, Record};
use base64::Engine;
use serde_json::{json, Map, Value};
use std::collections::HashMap;

/// One attribute in DynamoDB's JSON form (`{"S": "…"}`, `{"N": "1"}`, `{"M": {…}}`, …).
pub fn attribute(value: &AttributeValue) -> Value {
    let b64 = |b: &aws_sdk_dynamodbstreams::primitives::Blob| {
        base64::engine::general_purpose::STANDARD.encode(b.as_ref())
    };
    match value {
        AttributeValue::S(s) => json!({"S": s}),
        AttributeValue::N(n) => json!({"N": n}),
        AttributeValue::B(b) => json!({"B": b64(b)}),
        AttributeValue::Bool(b) => json!({"BOOL": b}),
        AttributeValue::Null(_) => json!({"NULL": true}),
        AttributeValue::M(m) => json!({"M": image(m)}),
        AttributeValue::L(l) => json!({"L": l.iter().map(attribute).collect::<Vec<_>>()}),
        AttributeValue::Ss(v) => json!({"SS": v}),
        AttributeValue::Ns(v) => json!({"NS": v}),
        AttributeValue::Bs(v) => json!({"BS": v.iter().map(b64).collect::<Vec<_>>()}),
        _ => json!({"NULL": true}),
    }
}

/// An item (image or keys) in DynamoDB's JSON form.
pub fn image(item: &HashMap<String, AttributeValue>) -> Value {
    Value::Object(
        item.iter()
            .map(|(k, v)| (k.clone(), attribute(v)))
            .collect::<Map<String, Value>>(),
    )
}

/// The Lambda record for a stream record of `stream_arn`.
pub fn lambda_record(record: &Record, stream_arn: &str, region: &str) -> Value {
    let mut body = json!({});
    if let Some(d) = &record.dynamodb {
        if let Some(t) = d.approximate_creation_date_time {
            body["ApproximateCreationDateTime"] = json!(t.secs());
        }
        if let Some(k) = &d.keys {
            body["Keys"] = image(k);
        }
        if let Some(n) = &d.new_image {
            body["NewImage"] = image(n);
        }
        if let Some(o) = &d.old_image {
            body["OldImage"] = image(o);
        }
        body["SequenceNumber"] = json!(d.sequence_number);
        body["SizeBytes"] = json!(d.size_bytes.unwrap_or(0));
        body["StreamViewType"] = json!(d.stream_view_type.as_ref().map(|v| v.as_str()));
    }
    json!({
        "eventID": record.event_id,
        "eventName": record.event_name.as_ref().map(|n| n.as_str()),
        "eventVersion": record.event_version.clone().unwrap_or_else(|| "1.1".into()),
        "eventSource": "aws:dynamodb",
        "awsRegion": region,
        "eventSourceARN": stream_arn,
        "dynamodb": body,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nested_attributes_keep_dynamodb_json_form() {
        let item = HashMap::from([(
            "delivery".to_string(),
            AttributeValue::M(HashMap::from([
                ("status".to_string(), AttributeValue::S("queued".into())),
                ("updated_at".to_string(), AttributeValue::N("5".into())),
            ])),
        )]);
        assert_eq!(
            image(&item),
            json!({"delivery": {"M": {"status": {"S": "queued"}, "updated_at": {"N": "5"}}}})
        );
    }
}
