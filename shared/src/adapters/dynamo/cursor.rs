//! Page cursors: DynamoDB's `LastEvaluatedKey`, as opaque URL-safe base64 JSON. A cursor is
//! checked against the partition the query reads, so a forged cursor can never steer a
//! query into another practice's or patient's partition.

use super::{s, Item};
use base64::Engine;
use std::collections::BTreeMap;

/// The cursor could not be decoded or belongs to another listing.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("the cursor is not valid for this list")]
pub struct BadCursor;

pub fn encode(last_evaluated_key: &Item) -> String {
    let plain: BTreeMap<&str, &str> = last_evaluated_key
        .iter()
        .filter_map(|(k, v)| v.as_s().ok().map(|v| (k.as_str(), v.as_str())))
        .collect();
    let json = serde_json::to_vec(&plain).unwrap_or_default();
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(json)
}

/// Decodes a cursor and checks that `partition_attr` equals `expected_partition`.
pub fn decode(
    cursor: &str,
    partition_attr: &str,
    expected_partition: &str,
) -> Result<Item, BadCursor> {
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(cursor)
        .map_err(|_| BadCursor)?;
    let plain: BTreeMap<String, String> = serde_json::from_slice(&bytes).map_err(|_| BadCursor)?;
    if plain.get(partition_attr).map(String::as_str) != Some(expected_partition) || plain.len() > 4
    {
        return Err(BadCursor);
    }
    Ok(plain.into_iter().map(|(k, v)| (k, s(v))).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_and_refuses_other_partitions() {
        let key: Item = [("pk", "CONV#a"), ("sk", "M#1")]
            .into_iter()
            .map(|(k, v)| (k.to_string(), s(v)))
            .collect();
        let cursor = encode(&key);
        assert_eq!(decode(&cursor, "pk", "CONV#a").unwrap(), key);
        assert_eq!(decode(&cursor, "pk", "CONV#b"), Err(BadCursor));
        assert_eq!(decode("%%%", "pk", "CONV#a"), Err(BadCursor));
    }
}
