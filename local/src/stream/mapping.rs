//! The stream event source mapping as `template.yaml` declares it (the `DynamoDB` event of
//! `StreamFunction`): filter patterns, batch size, retry bound. The emulator applies
//! exactly these, so the template stays the one source of truth.

use crate::template::{Template, TemplateError};
use serde_yaml::Value;

/// The logical id of the one stream consumer.
pub const STREAM_FUNCTION: &str = "StreamFunction";

#[derive(Debug, Clone)]
pub struct Mapping {
    /// Parsed `FilterCriteria.Filters[].Pattern` (JSON).
    pub patterns: Vec<serde_json::Value>,
    pub batch_size: usize,
    /// Retries of a failing batch before its failed records are skipped.
    pub max_retries: u32,
}

fn untag(v: &Value) -> &Value {
    match v {
        Value::Tagged(t) => &t.value,
        other => other,
    }
}

pub fn read(template: &Template) -> Result<Mapping, TemplateError> {
    let events = template
        .resource(STREAM_FUNCTION)
        .and_then(|f| f.get("Properties"))
        .and_then(|p| p.get("Events"))
        .and_then(Value::as_mapping)
        .ok_or_else(|| TemplateError::Missing(format!("{STREAM_FUNCTION} Events")))?;
    let props = events
        .values()
        .find(|e| e.get("Type").and_then(Value::as_str) == Some("DynamoDB"))
        .and_then(|e| e.get("Properties"))
        .ok_or_else(|| TemplateError::Missing(format!("{STREAM_FUNCTION} DynamoDB event")))?;
    let mut patterns = Vec::new();
    for filter in props
        .get("FilterCriteria")
        .and_then(|f| f.get("Filters"))
        .and_then(Value::as_sequence)
        .into_iter()
        .flatten()
    {
        let raw = filter
            .get("Pattern")
            .and_then(|p| untag(p).as_str())
            .ok_or_else(|| TemplateError::Missing("FilterCriteria Pattern".into()))?;
        let parsed = serde_json::from_str(raw)
            .map_err(|_| TemplateError::Missing("a JSON FilterCriteria Pattern".into()))?;
        patterns.push(parsed);
    }
    let number = |name: &str, default: u64| {
        props
            .get(name)
            .and_then(|v| untag(v).as_u64())
            .unwrap_or(default)
    };
    Ok(Mapping {
        patterns,
        batch_size: number("BatchSize", 100) as usize,
        max_retries: number("MaximumRetryAttempts", 3) as u32,
    })
}
