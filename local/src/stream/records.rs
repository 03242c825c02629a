//! DynamoDB Streams records (as DynamoDB Local's GetRecords answers them) → the records
//! Lambda delivers to a stream-triggered function (`aws_lambda_events`' `dynamodb::Event`).
//!
//! Two differences are smoothed over, as Lambda's own poller does against DynamoDB:
//! DynamoDB Local leaves out `eventSourceARN` (the poller adds it), and it writes an empty
//! map attribute as `{}` instead of `{"M": {}}` (which no SDK can read, so GetRecords is
//! read as plain JSON here, see [`super::get_records`]).

use serde_json::{json, Value};

/// An attribute value in DynamoDB JSON with every empty map written as `{"M": {}}`.
fn fix_attribute(value: &mut Value) {
    let Some(object) = value.as_object_mut() else {
        return;
    };
    if object.is_empty() {
        *value = json!({"M": {}});
        return;
    }
    if let Some(Value::Object(m)) = object.get_mut("M") {
        m.values_mut().for_each(fix_attribute);
    }
    if let Some(Value::Array(l)) = object.get_mut("L") {
        l.iter_mut().for_each(fix_attribute);
    }
}

fn fix_image(image: Option<&mut Value>) {
    if let Some(Value::Object(attributes)) = image {
        attributes.values_mut().for_each(fix_attribute);
    }
}

/// The Lambda record for one GetRecords record of `stream_arn`.
pub fn lambda_record(mut record: Value, stream_arn: &str, region: &str) -> Value {
    if let Some(body) = record.get_mut("dynamodb") {
        fix_image(body.get_mut("Keys"));
        fix_image(body.get_mut("NewImage"));
        fix_image(body.get_mut("OldImage"));
    }
    if let Some(r) = record.as_object_mut() {
        r.insert("eventSourceARN".into(), json!(stream_arn));
        r.insert("awsRegion".into(), json!(region));
        r.entry("eventSource")
            .or_insert_with(|| json!("aws:dynamodb"));
        r.entry("eventVersion").or_insert_with(|| json!("1.1"));
    }
    record
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_maps_become_typed_maps_at_any_depth() {
        let raw = json!({"eventID": "1", "eventName": "INSERT", "dynamodb": {
            "Keys": {"pk": {"S": "A"}},
            "NewImage": {"reads": {}, "nested": {"M": {"inner": {}}}, "list": {"L": [{}]},
                         "text": {"S": "a:{}"}}}});
        let r = lambda_record(raw, "arn:stream", "us-east-1");
        assert_eq!(r["dynamodb"]["NewImage"]["reads"], json!({"M": {}}));
        assert_eq!(
            r["dynamodb"]["NewImage"]["nested"]["M"]["inner"],
            json!({"M": {}})
        );
        assert_eq!(r["dynamodb"]["NewImage"]["list"]["L"][0], json!({"M": {}}));
        assert_eq!(r["dynamodb"]["NewImage"]["text"], json!({"S": "a:{}"}));
        assert_eq!(r["eventSourceARN"], "arn:stream");
    }
}
