//! Issue 13.1 for staff: a staff caller the process remembers (`access::proven_staff`) is
//! proven by the route's own transaction (session live, membership with the same role,
//! the practice's access version unmoved), never by the memory. These tests try what
//! that must withstand, each time with a warm memory (the first call fills it): a removed
//! teammate, a membership deleted under a live session, a role change, an ended session,
//! a link taken away and given back, a forged token. Each is refused (or sees) exactly as
//! a fresh read would say, at once, and a refused request writes nothing: no message, no
//! audit item in the caller's name.

use aws_sdk_dynamodb::types::AttributeValue;
use canopy_shared::access::sessions::token::named_token;
use canopy_shared::adapters::dynamo::keys::{audit_pk, ACCESS_VERSION_ATTR};
use canopy_shared::domain::time::rfc3339;
use canopy_tests::fixtures::Staff;
use canopy_tests::Harness;
use serde_json::json;

const ACTIONS: [&str; 4] = [
    "message.post",
    "inbox.read",
    "messages.list",
    "conversation.read_receipt",
];

/// The roles on the audit items of `action` by `actor` in this month's practice partition.
async fn audit_roles(h: &Harness, staff: &Staff, action: &str) -> Vec<String> {
    let month = rfc3339(h.app.now_ms())[..7].to_string();
    let org = staff.org_id.parse().unwrap();
    let pages =
        h.db.query()
            .table_name(h.table())
            .key_condition_expression("pk = :pk")
            .filter_expression("actor = :actor AND #action = :action")
            .expression_attribute_names("#action", "action")
            .expression_attribute_names("#role", "role")
            .projection_expression("#role")
            .expression_attribute_values(":pk", AttributeValue::S(audit_pk(Some(&org), &month)))
            .expression_attribute_values(":actor", AttributeValue::S(staff.account_id.clone()))
            .expression_attribute_values(":action", AttributeValue::S(action.into()))
            .into_paginator()
            .items()
            .send()
            .collect::<Vec<_>>()
            .await;
    pages
        .into_iter()
        .map(|item| item.expect("audit query")["role"].as_s().unwrap().clone())
        .collect()
}

async fn audit_counts(h: &Harness, staff: &Staff) -> Vec<usize> {
    let mut counts = Vec::new();
    for action in ACTIONS {
        counts.push(audit_roles(h, staff, action).await.len());
    }
    counts
}

/// The practice's access version as stored (absent: 0).
async fn access_version(h: &Harness, staff: &Staff) -> u64 {
    let item =
        h.db.get_item()
            .table_name(h.table())
            .key("pk", AttributeValue::S(format!("ORG#{}", staff.org_id)))
            .key("sk", AttributeValue::S("#META".into()))
            .consistent_read(true)
            .send()
            .await
            .expect("practice item")
            .item
            .expect("the practice exists");
    item.get(ACCESS_VERSION_ATTR)
        .map_or(0, |v| v.as_n().unwrap().parse().unwrap())
}

/// The four routes as `staff`: post, inbox, messages page, read receipt → their statuses.
async fn statuses(h: &Harness, staff: &Staff, conv: &str, msg: &str, key: &str) -> [u16; 4] {
    let api = || h.api(staff);
    [
        api().post_message(conv, "still here?", key).await.status,
        api().inbox("").await.status,
        api().messages(conv, "").await.status,
        api().read(conv, msg).await.status,
    ]
}

/// A practice, a teammate whose token the process remembers (one call made), a patient
/// and a conversation with one message.
async fn scene() -> (Harness, Staff, Staff, String, String) {
    let (h, owner, patient, conv) = Harness::with_chat("Quince Clinic", "Sue Tam").await;
    let nurse = h.new_teammate(&owner, "admin").await;
    let msg = h.post_id(&patient, &conv, "hello", "ps-0").await;
    assert_eq!(h.api(&nurse).inbox("").await.status, 200, "remembered now");
    let (warm, ops) = h.counted(h.api(&nurse).inbox("")).await;
    assert_eq!((warm.status, ops.len()), (200, 2), "warm: {ops:?}");
    (h, owner, nurse, conv, msg)
}

async fn message_count(h: &Harness, owner: &Staff, conv: &str) -> usize {
    h.api(owner)
        .messages(conv, "?limit=100")
        .await
        .items()
        .len()
}

#[tokio::test]
async fn a_removed_teammate_is_refused_at_once_and_leaves_nothing() {
    let (h, owner, nurse, conv, msg) = scene().await;
    let version = access_version(&h, &owner).await;
    let removed = h.api(&owner).remove_member(&nurse.account_id).await;
    assert_eq!(removed.status, 204, "{}", removed.text);
    assert_eq!(access_version(&h, &owner).await, version + 1);
    let (before, messages) = (
        audit_counts(&h, &nurse).await,
        message_count(&h, &owner, &conv).await,
    );

    assert_eq!(statuses(&h, &nurse, &conv, &msg, "ps-1").await, [401; 4]);
    assert_eq!(
        audit_counts(&h, &nurse).await,
        before,
        "no audit item in their name"
    );
    assert_eq!(
        message_count(&h, &owner, &conv).await,
        messages,
        "no message"
    );
}

#[tokio::test]
async fn a_membership_gone_under_a_live_session_is_refused_by_the_member_check() {
    let (h, owner, nurse, conv, msg) = scene().await;
    // Only the membership item goes: the session lives and the version does not move, so
    // nothing but the transaction's check of the membership can refuse.
    h.db.delete_item()
        .table_name(h.table())
        .key("pk", AttributeValue::S(format!("ORG#{}", nurse.org_id)))
        .key(
            "sk",
            AttributeValue::S(format!("MEMBER#{}", nurse.account_id)),
        )
        .send()
        .await
        .expect("membership deleted");
    let (before, messages) = (
        audit_counts(&h, &nurse).await,
        message_count(&h, &owner, &conv).await,
    );
    assert_eq!(statuses(&h, &nurse, &conv, &msg, "ps-2").await, [401; 4]);
    assert_eq!(
        audit_counts(&h, &nurse).await,
        before,
        "no audit item in their name"
    );
    assert_eq!(
        message_count(&h, &owner, &conv).await,
        messages,
        "no message"
    );
}

#[tokio::test]
async fn a_role_change_applies_to_the_next_request() {
    let (h, _owner, nurse, _conv, _msg) = scene().await;
    assert_eq!(
        audit_roles(&h, &nurse, "inbox.read").await,
        ["admin", "admin"]
    );
    // The role changes on the membership alone (no route changes roles yet; the version
    // does not move): the transaction's role check refuses, the caller is read again.
    h.db.update_item()
        .table_name(h.table())
        .key("pk", AttributeValue::S(format!("ORG#{}", nurse.org_id)))
        .key(
            "sk",
            AttributeValue::S(format!("MEMBER#{}", nurse.account_id)),
        )
        .update_expression("SET #role = :member")
        .expression_attribute_names("#role", "role")
        .expression_attribute_values(":member", AttributeValue::S("member".into()))
        .send()
        .await
        .expect("role changed");
    let (page, ops) = h.counted(h.api(&nurse).inbox("")).await;
    assert_eq!(page.status, 200, "{}", page.text);
    println!("inbox after a role change: {ops:?}");
    assert!(
        ops.contains(&"BatchGetItem".to_string()),
        "read again: {ops:?}"
    );
    let mut roles = audit_roles(&h, &nurse, "inbox.read").await;
    roles.sort();
    assert_eq!(
        roles,
        ["admin", "admin", "member"],
        "audited with the new role"
    );
    let (_, ops) = h.counted(h.api(&nurse).inbox("")).await;
    assert_eq!(ops.len(), 2, "remembered again, as a member: {ops:?}");
}

#[tokio::test]
async fn an_ended_session_is_refused_at_once_on_every_route() {
    let (h, _owner, nurse, conv, msg) = scene().await;
    let out = h
        .call("POST", "/v1/auth/logout", None, Some(&nurse.token))
        .await;
    assert!(matches!(out.status, 200 | 204), "{}", out.text);
    let before = audit_counts(&h, &nurse).await;
    assert_eq!(statuses(&h, &nurse, &conv, &msg, "ps-3").await, [401; 4]);
    assert_eq!(audit_counts(&h, &nurse).await, before);
}

#[tokio::test]
async fn a_link_taken_away_hides_its_conversation_at_once_and_given_back_shows_it() {
    let (h, owner) = Harness::with_practice("Elm Street Clinic").await;
    let nurse = h.new_teammate(&owner, "member").await;
    let patient = h.new_patient(&owner, "Sue Tam").await;
    let both = vec![owner.account_id.clone(), nurse.account_id.clone()];
    let both_refs: Vec<&str> = both.iter().map(String::as_str).collect();
    let link = h.new_routed_link(&owner, &both_refs, &[]).await;
    let conv = h
        .new_conversation(&owner, &[&patient.contact_id], Some(&link))
        .await;
    let msg = h.post_id(&owner, &conv, "hello", "ps-4").await;
    assert_eq!(h.api(&nurse).messages(&conv, "").await.status, 200);
    let listed = |page: &canopy_tests::Reply| page.items().iter().any(|c| c["id"] == json!(conv));

    let set_members = |members: Vec<String>| {
        let api = h.api(&owner);
        let link = link.clone();
        async move {
            let patched = api.patch_link(&link, json!({"member_ids": members})).await;
            assert_eq!(patched.status, 200, "{}", patched.text);
        }
    };
    let version = access_version(&h, &owner).await;
    set_members(vec![owner.account_id.clone()]).await;
    assert_eq!(access_version(&h, &owner).await, version + 1);
    let messages = message_count(&h, &owner, &conv).await;
    assert_eq!(
        statuses(&h, &nurse, &conv, &msg, "ps-5").await,
        [404, 200, 404, 404]
    );
    assert!(
        !listed(&h.api(&nurse).inbox("").await),
        "not in their inbox"
    );
    assert_eq!(
        message_count(&h, &owner, &conv).await,
        messages,
        "no message"
    );

    set_members(both.clone()).await;
    assert!(
        listed(&h.api(&nurse).inbox("").await),
        "in their inbox again"
    );
    assert_eq!(
        statuses(&h, &nurse, &conv, &msg, "ps-6").await,
        [201, 200, 200, 200]
    );
}

#[tokio::test]
async fn a_forged_staff_token_is_refused_and_leaves_no_audit_item() {
    let (h, _owner, nurse, conv, msg) = scene().await;
    let forged = Staff {
        token: named_token(
            &nurse.account_id.parse().unwrap(),
            Some(&nurse.org_id.parse().unwrap()),
        ),
        ..nurse.clone()
    };
    let before = audit_counts(&h, &nurse).await;
    assert_eq!(statuses(&h, &forged, &conv, &msg, "ps-7").await, [401; 4]);
    assert_eq!(
        audit_counts(&h, &nurse).await,
        before,
        "nothing in their name"
    );
    // The real token still works, from memory.
    let (page, ops) = h.counted(h.api(&nurse).inbox("")).await;
    assert_eq!((page.status, ops.len()), (200, 2), "{ops:?}");
}

#[tokio::test]
async fn concurrent_requests_of_one_remembered_caller_all_succeed() {
    let (h, _owner, nurse, conv, _msg) = scene().await;
    // Every one of these proves the same session, membership and practice item; a proof
    // that conflicts with another is answered by reading the caller and running again.
    h.app.db_calls.reset();
    let posts = (0..16).map(|i| {
        let key = format!("ps-c{i}");
        let h = &h;
        let (nurse, conv) = (&nurse, &conv);
        async move { h.api(nurse).post_message(conv, "busy", &key).await }
    });
    let replies = futures::future::join_all(posts).await;
    let ops = h.app.db_calls.operations();
    let reads = ops.iter().filter(|o| *o == "BatchGetItem").count();
    println!(
        "16 concurrent staff posts: {} calls, {reads} callers read again",
        ops.len()
    );
    for r in &replies {
        assert_eq!(r.status, 201, "{}", r.text);
    }
}
