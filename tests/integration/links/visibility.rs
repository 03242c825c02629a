//! Issue 13.1: which links' conversations a staff member sees is mirrored on the
//! practice's `#META` item by the links' own transactions, so authorization reads it with
//! the session and membership (one consistent BatchGetItem, no Query) and a change of a
//! link's members applies to the very next call. A practice created before the mirror
//! (no `links_mirrored`) is still authorized exactly, through its links' Query.

use aws_sdk_dynamodb::types::AttributeValue;
use canopy_tests::fixtures::conversations::STAFF_AUTHENTICATION;
use canopy_tests::fixtures::Staff;
use canopy_tests::Harness;
use serde_json::json;

/// The conversation's messages page status for `staff` (200 seen, 404 not).
async fn sees(h: &Harness, staff: &Staff, conv: &str) -> u16 {
    h.api(staff).messages(conv, "").await.status
}

async fn set_members(h: &Harness, owner: &Staff, link: &str, members: &[&str]) {
    let patched = h
        .api(owner)
        .patch_link(link, json!({"member_ids": members}))
        .await;
    assert_eq!(patched.status, 200, "{}", patched.text);
}

#[tokio::test]
async fn a_change_of_a_links_members_applies_to_the_next_call() {
    let (h, owner) = Harness::with_practice("Elm Street Clinic").await;
    let nurse = h.new_teammate(&owner, "member").await;
    let patient = h.new_patient(&owner, "Sue Tam").await;
    let link = h.new_routed_link(&owner, &[&owner.account_id], &[]).await;
    let conv = h
        .new_conversation(&owner, &[&patient.contact_id], Some(&link))
        .await;
    assert_eq!(sees(&h, &owner, &conv).await, 200);
    assert_eq!(sees(&h, &nurse, &conv).await, 404, "not on the link");

    // Each change is seen by the very next call, with no wait for an index.
    set_members(&h, &owner, &link, &[&nurse.account_id]).await;
    assert_eq!(sees(&h, &nurse, &conv).await, 200, "listed now");
    set_members(&h, &owner, &link, &[&owner.account_id]).await;
    assert_eq!(sees(&h, &nurse, &conv).await, 404, "taken off at once");
    set_members(&h, &owner, &link, &[]).await;
    assert_eq!(sees(&h, &nurse, &conv).await, 200, "the whole team now");
    let posted = h.api(&nurse).post_message(&conv, "hello", "vis-1").await;
    assert_eq!(posted.status, 201, "{}", posted.text);
}

#[tokio::test]
async fn a_practice_from_before_the_mirror_is_authorized_through_its_links_query() {
    let (h, owner) = Harness::with_practice("Quince Clinic").await;
    let nurse = h.new_teammate(&owner, "member").await;
    let patient = h.new_patient(&owner, "Sue Tam").await;
    let link = h.new_routed_link(&owner, &[&owner.account_id], &[]).await;
    let conv = h
        .new_conversation(&owner, &[&patient.contact_id], Some(&link))
        .await;
    // What an older practice's item looks like: neither the marker nor the mirror.
    h.db.update_item()
        .table_name(h.table())
        .key("pk", AttributeValue::S(format!("ORG#{}", owner.org_id)))
        .key("sk", AttributeValue::S("#META".into()))
        .update_expression("REMOVE links_mirrored, #mirror")
        .expression_attribute_names("#mirror", format!("link_access_{link}"))
        .send()
        .await
        .expect("the practice item made old");

    // A token this process never resolved, as every token of such a practice is: its
    // callers are never remembered (`access::proven_staff`), so every call reads.
    let owner = Staff {
        token: h.sign_in_by_email(&owner.email).await,
        ..owner
    };
    for _ in 0..2 {
        let (page, ops) = h.counted(h.api(&owner).messages(&conv, "")).await;
        assert_eq!(page.status, 200, "{}", page.text);
        let n = STAFF_AUTHENTICATION.len();
        assert_eq!(ops[..n], STAFF_AUTHENTICATION, "{ops:?}");
        assert_eq!(ops[n], "Query", "then the links' Query: {ops:?}");
    }
    assert_eq!(sees(&h, &nurse, &conv).await, 404, "still exact");
}
