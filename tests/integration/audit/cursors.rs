//! Forged audit cursors answer 400 (`invalid_field` naming `cursor`), never 500 and never
//! another practice's items: each forgery below is a shape an attacker can build from a
//! genuine cursor of their own.

use super::audit;
use base64::Engine;
use canopy_tests::Harness;
use serde_json::{json, Value};

fn b64(v: &Value) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(v.to_string())
}

fn unb64(c: &str) -> Value {
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(c)
        .unwrap();
    serde_json::from_slice(&bytes).unwrap()
}

#[tokio::test]
async fn forged_audit_cursors_are_400() {
    let (h, owner) = Harness::with_practice("Cursor Clinic").await;
    let admin = h.new_teammate(&owner, "admin").await;
    let other = h.new_practice("Cursor Elsewhere").await;
    for _ in 0..3 {
        assert_eq!(audit(&h, &owner.token, "").await.status, 200);
    }
    let first = audit(&h, &owner.token, "?limit=1&from=2020-01-01T00:00:00Z").await;
    let genuine = first.json()["next_cursor"].as_str().unwrap().to_string();
    // A genuine cursor resumes.
    let next = audit(
        &h,
        &owner.token,
        &format!("?limit=1&from=2020-01-01T00:00:00Z&cursor={genuine}"),
    )
    .await;
    assert_eq!(next.status, 200, "{}", next.text);

    let key = unb64(&genuine);
    let gsk = key["gsi1sk"].as_str().unwrap().to_string();
    let (at, id) = gsk.split_once('#').unwrap();
    let with = |field: &str, value: Value| {
        let mut k = key.clone();
        k[field] = value;
        b64(&k)
    };
    let other_pk = format!("AUDIT#{}", other.org_id);
    let mut forged = vec![
        ("not base64", "%%%".to_string()),
        ("not json", "bm90IGpzb24".to_string()),
        ("json array", b64(&json!(["a"]))),
        ("empty object", b64(&json!({}))),
        (
            "another practice's partition",
            with("gsi1pk", json!(other_pk)),
        ),
        ("the table partition", with("gsi1pk", json!(key["pk"]))),
        ("sort key not a time", with("gsi1sk", json!("x"))),
        (
            "sort key before from",
            with("gsi1sk", json!(format!("2019-01-01T00:00:00.000Z#{id}"))),
        ),
        (
            "sort key after to",
            with("gsi1sk", json!(format!("9999-12-31T23:59:59.999Z#{id}"))),
        ),
        (
            "sort key without ulid",
            with("gsi1sk", json!(format!("{at}#"))),
        ),
        (
            "table key of another month",
            with("pk", json!(format!("AUDIT#{}#2019-01", owner.org_id))),
        ),
        (
            "table key of another practice",
            with("pk", json!(format!("AUDIT#{}#{}", other.org_id, &at[..7]))),
        ),
        (
            "another item's ulid",
            with("sk", json!(ulid::Ulid::new().to_string())),
        ),
        ("numbers instead of strings", with("sk", json!(7))),
        ("an extra attribute", with("role", json!("owner"))),
        ("too long", "A".repeat(4096)),
    ];
    let mut missing = key.clone();
    missing.as_object_mut().unwrap().remove("pk");
    forged.push(("table key missing", b64(&missing)));
    for (what, cursor) in &forged {
        let r = audit(
            &h,
            &owner.token,
            &format!("?limit=1&from=2020-01-01T00:00:00Z&cursor={cursor}"),
        )
        .await;
        assert_eq!(r.status, 400, "{what}: {}", r.text);
        assert_eq!(r.error_code(), "invalid_field", "{what}");
        assert!(
            r.error_message().starts_with("cursor"),
            "{what}: {}",
            r.text
        );
    }

    // A genuine cursor used elsewhere: with a narrower range, with an actor filter (another
    // index), by another practice's owner.
    for (who, query) in [
        (
            &owner.token,
            format!("?limit=1&to=2020-06-01T00:00:00Z&cursor={genuine}"),
        ),
        (
            &owner.token,
            format!("?limit=1&from=2030-01-01T00:00:00Z&cursor={genuine}"),
        ),
        (
            &owner.token,
            format!("?actor={}&cursor={genuine}", admin.account_id),
        ),
        (&other.token, format!("?limit=1&cursor={genuine}")),
    ] {
        let r = audit(&h, who, &query).await;
        assert_eq!(r.status, 400, "{query}: {}", r.text);
    }
}
