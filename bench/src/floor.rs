//! A route's floor, call by call: the handler's recorded DynamoDB requests (in waves of
//! requests it had in flight together), made ready before any timing. Every call of a
//! read route appends a new audit item (a new key in its table and in both indexes), so
//! each floor call writes a new one too, with a fresh id: replaying the recorded Put would
//! overwrite one item in place, which is not the work the handler's call does. A
//! transaction's `ClientRequestToken` is fresh for the same reason (a repeated token with
//! the same parameters is answered from DynamoDB's idempotency cache).

use crate::recorder::Recorded;
use crate::sdk_replay::{prepare, Prepared};
use serde_json::{json, Value};

/// One floor call: through the SDK and as raw HTTP.
pub struct FloorCall {
    pub sdk: Vec<Vec<Prepared>>,
    pub raw: Vec<Vec<Recorded>>,
}

/// The ids (`sk`) of the audit items a recorded request appends.
fn audit_ids(body: &Value) -> Vec<String> {
    let puts = body["TransactItems"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|t| t.get("Put"))
        .chain(body.get("Item").map(|_| body));
    puts.filter_map(|p| {
        let item = p.get("Item")?;
        let pk = item["pk"]["S"].as_str()?;
        pk.starts_with("AUDIT#")
            .then(|| item["sk"]["S"].as_str().map(String::from))?
    })
    .collect()
}

/// `r` with new audit ids and a new transaction token.
fn fresh(r: &Recorded) -> Recorded {
    let parsed: Value = serde_json::from_str(&r.body).expect("recorded body");
    let mut body = r.body.clone();
    for id in audit_ids(&parsed) {
        body = body.replace(&id, &ulid::Ulid::new().to_string());
    }
    let mut json: Value = serde_json::from_str(&body).expect("json body");
    if json.get("ClientRequestToken").is_some() {
        json["ClientRequestToken"] = json!(ulid::Ulid::new().to_string());
    }
    Recorded {
        body: json.to_string(),
        ..r.clone()
    }
}

/// `n` floor calls of `waves`, each ready to send.
pub fn calls(db: &aws_sdk_dynamodb::Client, waves: &[Vec<Recorded>], n: usize) -> Vec<FloorCall> {
    calls_rewritten(db, waves, n, |_, _, body| body.to_string())
}

/// Like [`calls`], each body first passed through `rewrite(call, side, body)` (`side` is
/// "sdk" or "raw"): for writes whose ids must differ from call to call and from one floor
/// to the other (a post's new message).
pub fn calls_rewritten(
    db: &aws_sdk_dynamodb::Client,
    waves: &[Vec<Recorded>],
    n: usize,
    rewrite: impl Fn(usize, &str, &str) -> String,
) -> Vec<FloorCall> {
    let side = |i: usize, side: &str| -> Vec<Vec<Recorded>> {
        waves
            .iter()
            .map(|wave| {
                wave.iter()
                    .map(|r| {
                        fresh(&Recorded {
                            body: rewrite(i, side, &r.body),
                            ..r.clone()
                        })
                    })
                    .collect()
            })
            .collect()
    };
    (0..n)
        .map(|i| {
            let sdk = side(i, "sdk")
                .iter()
                .map(|wave| {
                    wave.iter()
                        .map(|r| prepare(db, &r.target(), &r.body))
                        .collect()
                })
                .collect();
            FloorCall {
                sdk,
                raw: side(i, "raw"),
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn audit_puts_get_new_ids_and_nothing_else_changes() {
        let body = json!({"TransactItems": [
            {"ConditionCheck": {"Key": {"pk": {"S": "SESSION#h"}, "sk": {"S": "#SESSION"}}}},
            {"Put": {"Item": {"pk": {"S": "AUDIT#o#2026-12"}, "sk": {"S": "01KAAAAAAAAAAAAAAAAAAAAAAA"},
                "gsi1sk": {"S": "2026-12-01T06:00:00Z#01KAAAAAAAAAAAAAAAAAAAAAAA"}}}}
        ], "ClientRequestToken": "t1"});
        let r = Recorded {
            headers: vec![],
            body: body.to_string(),
            sent: std::time::Instant::now(),
            answered: None,
        };
        let out: Value = serde_json::from_str(&fresh(&r).body).unwrap();
        let put = &out["TransactItems"][1]["Put"]["Item"];
        let id = put["sk"]["S"].as_str().unwrap();
        assert_ne!(id, "01KAAAAAAAAAAAAAAAAAAAAAAA");
        assert_eq!(put["gsi1sk"]["S"], format!("2026-12-01T06:00:00Z#{id}"));
        assert_eq!(out["TransactItems"][0], body["TransactItems"][0]);
        assert_ne!(out["ClientRequestToken"], "t1");
    }
}
