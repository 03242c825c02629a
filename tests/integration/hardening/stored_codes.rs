//! Row 6: a challenge stores only HMAC-SHA256(pepper, challenge ‖ purpose ‖ destination ‖
//! code), never the code: the `CHAL#` item written by a sign-in start is read back from
//! the table and searched for the six digits that reached the phone.

use aws_sdk_dynamodb::types::AttributeValue;
use canopy_shared::domain::secrets::code_hash;
use canopy_tests::fixtures::random_phone;
use canopy_tests::{moto, Harness};
use serde_json::json;

/// Every string in an attribute value, however deeply nested (numbers are checked apart:
/// a 13-digit timestamp may hold any six digits by chance).
fn leaves(value: &AttributeValue, out: &mut Vec<String>) {
    match value {
        AttributeValue::S(s) => out.push(s.clone()),
        AttributeValue::L(items) => items.iter().for_each(|v| leaves(v, out)),
        AttributeValue::M(map) => map.iter().for_each(|(k, v)| {
            out.push(k.clone());
            leaves(v, out)
        }),
        AttributeValue::Ss(v) => out.extend(v.iter().cloned()),
        _ => {}
    }
}

#[tokio::test]
async fn the_stored_challenge_holds_the_keyed_hash_and_never_the_code() {
    let h = Harness::new().await;
    let owner = h.new_practice("Stored Code Clinic").await;
    let link = h.new_link(&owner, &[]).await;
    let phone = random_phone();
    h.link_signup(&link.code, "Pat Doe", &phone, None).await;
    let started = h.public().auth_start(json!({ "phone": phone })).await;
    assert_eq!(started.status, 202, "{}", started.text);
    let challenge = started.string("challenge_id");
    let code = moto::latest_sms_code(&phone).expect("the code reached the phone");

    let item = h.stored_challenge_item(&challenge).await;

    // What is there is the keyed hash over challenge, purpose, destination and code…
    let pepper = canopy_shared::access::pepper(&h.app)
        .await
        .expect("a pepper");
    let expected = code_hash(pepper, &challenge, "login", &phone, &code);
    // …and no string holds the code (the hash is hex of a MAC, checked exactly below), no
    // number is it.
    let mut values = Vec::new();
    item.iter().for_each(|(k, v)| {
        values.push(k.clone());
        leaves(v, &mut values)
    });
    for value in values.iter().filter(|v| **v != expected) {
        assert!(!value.contains(&code), "the code is in the item: {value:?}");
    }
    let numeric = |v: &AttributeValue| {
        v.as_n()
            .ok()
            .map(|n| n.trim_start_matches('0') == code.trim_start_matches('0'))
    };
    assert!(
        !item.values().any(|v| numeric(v) == Some(true)),
        "a number attribute is the code"
    );
    let AttributeValue::L(codes) = &item["codes"] else {
        panic!("codes is a list: {item:?}")
    };
    let AttributeValue::M(slot) = &codes[0] else {
        panic!("a code slot is a map")
    };
    assert_eq!(slot["hash"], AttributeValue::S(expected));
    assert_eq!(codes.len(), 1);
}
