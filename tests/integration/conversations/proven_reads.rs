//! Issue 13.1: a patient's inbox page, messages page and read receipt are one round trip,
//! authorization included: the token names the account, so nothing is read first, and the
//! route's own write (the read's audit item, the receipt's transaction) carries a
//! ConditionCheck of the session. These tests try what that must withstand: a forged
//! token naming a real account (a wrong secret) gets 401 and leaves no audit item in that
//! account's name; an ended session is refused at once; and the hourly record of a
//! session's use still happens, off the hot path.

use aws_sdk_dynamodb::types::AttributeValue;
use canopy_shared::access::sessions::token::named_token;
use canopy_shared::adapters::dynamo::keys::audit_pk;
use canopy_shared::domain::ids::ConversationId;
use canopy_shared::domain::time::rfc3339;
use canopy_shared::ports::{Clock, ManualClock, SystemClock};
use canopy_tests::fixtures::Patient;
use canopy_tests::Harness;
use serde_json::json;
use std::sync::Arc;

/// The audit items of `action` by `actor` in this month's patients' partition.
async fn audit_count(h: &Harness, actor: &str, action: &str) -> usize {
    let month = rfc3339(h.app.now_ms())[..7].to_string();
    let out =
        h.db.query()
            .table_name(h.table())
            .key_condition_expression("pk = :pk")
            .filter_expression("actor = :actor AND #action = :action")
            .expression_attribute_names("#action", "action")
            .expression_attribute_values(":pk", AttributeValue::S(audit_pk(None, &month)))
            .expression_attribute_values(":actor", AttributeValue::S(actor.into()))
            .expression_attribute_values(":action", AttributeValue::S(action.into()))
            .into_paginator()
            .items()
            .send()
            .collect::<Vec<_>>()
            .await;
    out.into_iter()
        .collect::<Result<Vec<_>, _>>()
        .expect("audit query")
        .len()
}

/// The same patient with a token that names them but carries another secret.
fn forged(patient: &Patient) -> Patient {
    Patient {
        token: named_token(&patient.account_id.parse().unwrap(), None),
        ..patient.clone()
    }
}

#[tokio::test]
async fn a_forged_token_naming_a_real_patient_reads_nothing_and_leaves_no_audit_item() {
    let (h, owner, patient, conv) = Harness::with_chat("Quince Clinic", "Sue Tam").await;
    let msg = h.post_id(&owner, &conv, "hello", "pr-1").await;
    let forger = forged(&patient);
    let actions = ["inbox.read", "messages.list", "conversation.read_receipt"];
    let mut before = Vec::new();
    for action in actions {
        before.push(audit_count(&h, &patient.account_id, action).await);
    }

    let inbox = h.api(&forger).inbox("").await;
    assert_eq!(inbox.status, 401, "{}", inbox.text);
    let page = h.api(&forger).messages(&conv, "").await;
    assert_eq!(page.status, 401, "{}", page.text);
    assert!(
        !page.text.contains("hello"),
        "nothing of the page is released"
    );
    // Nor whether the named account takes part in a conversation: 401, never 404.
    let elsewhere = ConversationId::generate().to_string();
    let page = h.api(&forger).messages(&elsewhere, "").await;
    assert_eq!(page.status, 401, "{}", page.text);
    let read = h.api(&forger).read(&conv, &msg).await;
    assert_eq!(read.status, 401, "{}", read.text);
    for (action, was) in actions.iter().zip(&before) {
        let now = audit_count(&h, &patient.account_id, action).await;
        assert_eq!(now, *was, "no {action} audit item in the patient's name");
    }

    // The same calls with the patient's own token are answered and audited.
    assert_eq!(h.api(&patient).inbox("").await.status, 200);
    assert_eq!(h.api(&patient).messages(&conv, "").await.status, 200);
    let read = h.api(&patient).read(&conv, &msg).await;
    assert_eq!(read.status, 200, "{}", read.text);
    assert_eq!(read.json()["unread_count"], json!(0));
    for (action, was) in actions.iter().zip(&before) {
        let now = audit_count(&h, &patient.account_id, action).await;
        assert_eq!(now, was + 1, "one {action} audit item for the real read");
    }
}

#[tokio::test]
async fn an_ended_session_is_refused_at_once_on_every_proven_route() {
    let (h, owner, patient, conv) = Harness::with_chat("Quince Clinic", "Sue Tam").await;
    let msg = h.post_id(&owner, &conv, "hello", "pr-2").await;
    assert_eq!(h.api(&patient).inbox("").await.status, 200);
    let out = h
        .call("POST", "/v1/auth/logout", None, Some(&patient.token))
        .await;
    assert!(matches!(out.status, 200 | 204), "{}", out.text);
    assert_eq!(h.api(&patient).inbox("").await.status, 401);
    assert_eq!(h.api(&patient).messages(&conv, "").await.status, 401);
    assert_eq!(h.api(&patient).read(&conv, &msg).await.status, 401);
}

#[tokio::test]
async fn the_hourly_record_of_a_sessions_use_is_off_the_hot_path() {
    let clock = Arc::new(ManualClock::new(SystemClock.now_ms()));
    let h = Harness::with_clock(clock.clone()).await;
    let owner = h.new_practice("Quince Clinic").await;
    let patient = h.new_patient(&owner, "Sue Tam").await;
    h.settle().await;

    let (page, ops) = h.counted(h.api(&patient).inbox("")).await;
    assert_eq!(page.status, 200, "{}", page.text);
    let mut sorted = ops.clone();
    sorted.sort();
    assert_eq!(sorted, ["Query", "TransactWriteItems"], "{ops:?}");

    // Over an hour later the proof refuses (the use is due), the session is read and its
    // use recorded, and the page is served: once.
    clock.advance_ms(2 * 3600 * 1000);
    let (page, ops) = h.counted(h.api(&patient).inbox("")).await;
    assert_eq!(page.status, 200, "{}", page.text);
    println!("inbox with the hourly use due: {ops:?}");
    assert!(ops.contains(&"UpdateItem".to_string()), "{ops:?}");
    let (page, ops) = h.counted(h.api(&patient).inbox("")).await;
    assert_eq!(page.status, 200, "{}", page.text);
    let mut sorted = ops.clone();
    sorted.sort();
    assert_eq!(
        sorted,
        ["Query", "TransactWriteItems"],
        "then the hot path again"
    );
}
