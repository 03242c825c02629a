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

/// Decodes a cursor and checks it against the query it resumes: `partition_attr` must equal
/// `expected_partition`, the matching sort attribute (`sk` for `pk`, `gsiNsk` for
/// `gsiNpk`) must be present and start with `sort_prefix` (the query's `begins_with`), and
/// no attribute other than the table's and the index's keys may appear. DynamoDB refuses a
/// start key outside the query's bounds with an error, so a forged cursor must be stopped
/// here as a 400, not there as a 500.
pub fn decode(
    cursor: &str,
    partition_attr: &str,
    expected_partition: &str,
    sort_prefix: &str,
) -> Result<Item, BadCursor> {
    if cursor.len() > 2048 {
        return Err(BadCursor);
    }
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(cursor)
        .map_err(|_| BadCursor)?;
    let plain: BTreeMap<String, String> = serde_json::from_slice(&bytes).map_err(|_| BadCursor)?;
    let sort_attr = if partition_attr == "pk" {
        "sk".to_string()
    } else {
        partition_attr.replacen("pk", "sk", 1)
    };
    let allowed = |k: &str| k == "pk" || k == "sk" || k == partition_attr || k == sort_attr;
    let sort_ok = plain
        .get(&sort_attr)
        .is_some_and(|v| v.starts_with(sort_prefix) && v.len() <= 1024);
    if plain.get(partition_attr).map(String::as_str) != Some(expected_partition)
        || !sort_ok
        || !plain.keys().all(|k| allowed(k))
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
        assert_eq!(decode(&cursor, "pk", "CONV#a", "M#").unwrap(), key);
        assert_eq!(decode(&cursor, "pk", "CONV#b", "M#"), Err(BadCursor));
        assert_eq!(decode("%%%", "pk", "CONV#a", "M#"), Err(BadCursor));
    }

    #[test]
    fn refuses_cursors_outside_the_query_or_with_foreign_keys() {
        let cursor = |pairs: &[(&str, &str)]| {
            let item: Item = pairs.iter().map(|(k, v)| (k.to_string(), s(*v))).collect();
            encode(&item)
        };
        // Missing sort key, sort key outside the begins_with, extra attributes.
        assert_eq!(
            decode(&cursor(&[("pk", "CONV#a")]), "pk", "CONV#a", "M#"),
            Err(BadCursor)
        );
        assert_eq!(
            decode(
                &cursor(&[("pk", "CONV#a"), ("sk", "Z")]),
                "pk",
                "CONV#a",
                "M#"
            ),
            Err(BadCursor)
        );
        assert_eq!(
            decode(
                &cursor(&[("pk", "CONV#a"), ("sk", "M#1"), ("role", "owner")]),
                "pk",
                "CONV#a",
                "M#"
            ),
            Err(BadCursor)
        );
        // An index cursor carries the index keys and the table keys.
        let gsi = cursor(&[
            ("gsi1pk", "ORG#o#INBOX"),
            ("gsi1sk", "0001#conv"),
            ("pk", "CONV#c"),
            ("sk", "#META"),
        ]);
        assert!(decode(&gsi, "gsi1pk", "ORG#o#INBOX", "").is_ok());
    }
}
