//! Lambda event filtering (the `FilterCriteria` of an event source mapping), for the
//! subset of the pattern language Canopy's template uses: nested objects, lists of
//! accepted values (any of), `{"prefix": "…"}`, `{"exists": bool}` and
//! `{"anything-but": [...]}`. A record passes when any pattern matches it.

use serde_json::Value;

/// Whether `pattern` (a parsed filter pattern) matches `event` (one record as JSON).
pub fn matches(pattern: &Value, event: &Value) -> bool {
    match pattern {
        Value::Object(fields) => fields.iter().all(|(name, sub)| {
            let value = event.get(name);
            match sub {
                Value::Object(_) => value.is_some_and(|v| matches(sub, v)),
                Value::Array(accepted) => accepted.iter().any(|a| accepts(a, value)),
                _ => false,
            }
        }),
        _ => false,
    }
}

fn accepts(rule: &Value, value: Option<&Value>) -> bool {
    match rule {
        Value::Object(op) => {
            if let Some(prefix) = op.get("prefix").and_then(Value::as_str) {
                return value
                    .and_then(Value::as_str)
                    .is_some_and(|v| v.starts_with(prefix));
            }
            if let Some(exists) = op.get("exists").and_then(Value::as_bool) {
                return value.is_some() == exists;
            }
            if let Some(Value::Array(excluded)) = op.get("anything-but") {
                return value.is_some_and(|v| !excluded.contains(v));
            }
            false
        }
        literal => value == Some(literal),
    }
}

/// Whether any of the patterns matches (no patterns: everything passes).
pub fn passes(patterns: &[Value], event: &Value) -> bool {
    patterns.is_empty() || patterns.iter().any(|p| matches(p, event))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn pattern() -> Value {
        json!({"eventName": ["INSERT"], "dynamodb": {
            "Keys": {"sk": {"S": [{"prefix": "M#"}]}},
            "NewImage": {"direction": {"S": ["outbound"]},
                         "delivery": {"M": {"status": {"S": ["queued"]}}}}}})
    }

    fn record(name: &str, sk: &str, direction: &str, status: Option<&str>) -> Value {
        let mut image = json!({"direction": {"S": direction}});
        if let Some(s) = status {
            image["delivery"] = json!({"M": {"status": {"S": s}}});
        }
        json!({"eventName": name, "dynamodb": {"Keys": {"sk": {"S": sk}}, "NewImage": image}})
    }

    #[test]
    fn the_template_pattern_lets_only_new_queued_outbound_messages_through() {
        let p = pattern();
        assert!(matches(
            &p,
            &record("INSERT", "M#1", "outbound", Some("queued"))
        ));
        assert!(!matches(
            &p,
            &record("MODIFY", "M#1", "outbound", Some("queued"))
        ));
        assert!(!matches(
            &p,
            &record("INSERT", "#META", "outbound", Some("queued"))
        ));
        assert!(!matches(
            &p,
            &record("INSERT", "M#1", "inbound", Some("queued"))
        ));
        assert!(!matches(&p, &record("INSERT", "M#1", "outbound", None)));
        assert!(!matches(
            &p,
            &record("INSERT", "M#1", "outbound", Some("sent"))
        ));
    }

    #[test]
    fn exists_and_anything_but() {
        let p = json!({"a": [{"exists": false}], "b": [{"anything-but": ["x"]}]});
        assert!(matches(&p, &json!({"b": "y"})));
        assert!(!matches(&p, &json!({"a": 1, "b": "y"})));
        assert!(!matches(&p, &json!({"b": "x"})));
        assert!(passes(&[], &json!({})));
    }
}
