//! Page cursors: DynamoDB's `LastEvaluatedKey`, as opaque URL-safe base64 JSON.
//!
//! A cursor comes back from the client, so it is input like any other: before it becomes an
//! `ExclusiveStartKey` it is checked against the exact key shape and bounds of the query it
//! resumes ([`Shape`]). It must carry exactly the table's key attributes (and, for an index
//! query, the index's), each a non-empty string; its partition must be the one the query
//! reads; its sort value and table key must have the form of the items that query returns
//! (a message key, an inbox row of this viewer, a contact of this practice…), which also
//! keeps it inside the query's key condition. DynamoDB refuses a start key of another size
//! or outside the query's bounds with a `ValidationException`, so anything it would refuse
//! is stopped here as a 400, and a forged cursor can never steer a query into another
//! practice's or patient's partition.

use super::{s, Item};
use base64::Engine;
use std::collections::BTreeMap;

/// The cursor could not be decoded or belongs to another listing.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("the cursor is not valid for this list")]
pub struct BadCursor;

/// Longest cursor accepted (a real one is a few hundred characters).
const MAX_CURSOR_LEN: usize = 2048;

/// The decoded key attributes of a cursor, by name.
pub type Keys = BTreeMap<String, String>;

/// What a cursor must look like to resume one query.
pub struct Shape<'a> {
    /// The query's partition attribute: `pk`, or an index's `gsiNpk`.
    pub partition_attr: &'a str,
    /// The partition the query reads.
    pub partition: &'a str,
    /// Whether the rest of the key (`sort`: the sort value of the query's key; `pk`, `sk`:
    /// the table key, equal to `partition` / `sort` for a table query) is one the query
    /// could have returned.
    pub valid: &'a (dyn Fn(&KeyView<'_>) -> bool + Sync),
}

/// A cursor's key, as [`Shape::valid`] sees it.
pub struct KeyView<'a> {
    pub sort: &'a str,
    pub pk: &'a str,
    pub sk: &'a str,
}

pub fn encode(last_evaluated_key: &Item) -> String {
    let plain: BTreeMap<&str, &str> = last_evaluated_key
        .iter()
        .filter_map(|(k, v)| v.as_s().ok().map(|v| (k.as_str(), v.as_str())))
        .collect();
    let json = serde_json::to_vec(&plain).unwrap_or_default();
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(json)
}

/// The sort attribute that goes with a partition attribute (`sk` for `pk`, `gsiNsk` for
/// `gsiNpk`).
fn sort_attr(partition_attr: &str) -> String {
    if partition_attr == "pk" {
        "sk".to_string()
    } else {
        partition_attr.replacen("pk", "sk", 1)
    }
}

/// Decodes a cursor and checks it against the query it resumes (see the module docs).
pub fn decode(cursor: &str, shape: &Shape<'_>) -> Result<Item, BadCursor> {
    if cursor.is_empty() || cursor.len() > MAX_CURSOR_LEN {
        return Err(BadCursor);
    }
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(cursor)
        .map_err(|_| BadCursor)?;
    let plain: Keys = serde_json::from_slice(&bytes).map_err(|_| BadCursor)?;
    let sort_attr = sort_attr(shape.partition_attr);
    let mut expected = vec!["pk", "sk"];
    if shape.partition_attr != "pk" {
        expected.extend([shape.partition_attr, sort_attr.as_str()]);
    }
    let exact_attrs = plain.len() == expected.len()
        && expected
            .iter()
            .all(|a| plain.get(*a).is_some_and(|v| !v.is_empty()));
    if !exact_attrs || plain[shape.partition_attr] != shape.partition {
        return Err(BadCursor);
    }
    let view = KeyView {
        sort: &plain[&sort_attr],
        pk: &plain["pk"],
        sk: &plain["sk"],
    };
    if !(shape.valid)(&view) {
        return Err(BadCursor);
    }
    Ok(plain.into_iter().map(|(k, v)| (k, s(v))).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cursor(pairs: &[(&str, &str)]) -> String {
        let item: Item = pairs.iter().map(|(k, v)| (k.to_string(), s(*v))).collect();
        encode(&item)
    }

    fn messages(view: &KeyView<'_>) -> bool {
        view.sort.starts_with("M#1")
    }

    fn table_shape(partition: &str) -> Shape<'_> {
        Shape {
            partition_attr: "pk",
            partition,
            valid: &messages,
        }
    }

    #[test]
    fn round_trips_and_refuses_other_partitions() {
        let key: Item = [("pk", "CONV#a"), ("sk", "M#1")]
            .into_iter()
            .map(|(k, v)| (k.to_string(), s(v)))
            .collect();
        let text = encode(&key);
        assert_eq!(decode(&text, &table_shape("CONV#a")).unwrap(), key);
        assert_eq!(decode(&text, &table_shape("CONV#b")), Err(BadCursor));
        assert_eq!(decode("%%%", &table_shape("CONV#a")), Err(BadCursor));
        assert_eq!(decode("", &table_shape("CONV#a")), Err(BadCursor));
    }

    #[test]
    fn refuses_missing_extra_empty_or_out_of_shape_keys() {
        let shape = table_shape("CONV#a");
        for forged in [
            cursor(&[("pk", "CONV#a")]),
            cursor(&[("pk", "CONV#a"), ("sk", "Z")]),
            cursor(&[("pk", "CONV#a"), ("sk", "")]),
            cursor(&[("pk", "CONV#a"), ("sk", "M#1"), ("role", "owner")]),
        ] {
            assert_eq!(decode(&forged, &shape), Err(BadCursor), "{forged}");
        }
    }

    #[test]
    fn an_index_cursor_needs_the_index_and_the_table_keys() {
        let any = |_: &KeyView<'_>| true;
        let shape = Shape {
            partition_attr: "gsi1pk",
            partition: "ORG#o#INBOX",
            valid: &any,
        };
        let full = cursor(&[
            ("gsi1pk", "ORG#o#INBOX"),
            ("gsi1sk", "0001#conv"),
            ("pk", "CONV#c"),
            ("sk", "#META"),
        ]);
        assert!(decode(&full, &shape).is_ok());
        // The issue's attack: the index key alone (DynamoDB: "must have same size as key
        // schema", a 500 before).
        let index_only = cursor(&[("gsi1pk", "ORG#o#INBOX"), ("gsi1sk", "x")]);
        assert_eq!(decode(&index_only, &shape), Err(BadCursor));
        let table_only = cursor(&[("pk", "CONV#c"), ("sk", "#META")]);
        assert_eq!(decode(&table_only, &shape), Err(BadCursor));
    }
}
