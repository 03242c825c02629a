//! Issue 12.9: growth bounded by design. A contact's conversations are items of their own
//! (the contact item does not grow per invite), and `GET …/messages/{id}` of an early
//! message reads one receipt per reader, not every receipt after it.

use canopy_tests::fixtures::conversations::STAFF_AUTHENTICATION;
use canopy_tests::fixtures::random_phone;
use canopy_tests::Harness;

/// The route's own calls: `ops` without the staff caller's authentication, which the
/// handler makes first (asserted), as `conversations::round_trips` counts them.
fn after_authentication(ops: Vec<String>) -> Vec<String> {
    let n = STAFF_AUTHENTICATION.len();
    assert!(
        ops.len() >= n && ops[..n] == STAFF_AUTHENTICATION,
        "authentication first: {ops:?}"
    );
    ops[n..].to_vec()
}
use serde_json::json;

/// The stored contact item, as DynamoDB holds it.
async fn contact_item(
    h: &Harness,
    org: &str,
    contact: &str,
) -> std::collections::HashMap<String, aws_sdk_dynamodb::types::AttributeValue> {
    h.db.get_item()
        .table_name(h.table())
        .key(
            "pk",
            aws_sdk_dynamodb::types::AttributeValue::S(format!("ORG#{org}")),
        )
        .key(
            "sk",
            aws_sdk_dynamodb::types::AttributeValue::S(format!("CONTACT#{contact}")),
        )
        .consistent_read(true)
        .send()
        .await
        .unwrap()
        .item
        .unwrap()
}

#[tokio::test]
async fn invites_do_not_grow_the_contact_item_and_its_conversations_stay_listed() {
    let (h, owner) = Harness::with_practice("Growth Clinic").await;
    let phone = random_phone();
    let contact = h
        .new_contact(&owner, "Gus Growth", Some(&phone), None)
        .await;
    let id = contact["id"].as_str().unwrap();
    let mut conversations = Vec::new();
    let mut sizes = Vec::new();
    for _ in 0..3 {
        let invite = h.api(&owner).invite(json!({ "contact_id": id })).await;
        assert_eq!(invite.status, 201, "{}", invite.text);
        conversations.push(invite.string("conversation_id"));
        let item = contact_item(&h, &owner.org_id, id).await;
        assert!(!item.contains_key("conversation_ids"), "{item:?}");
        sizes.push(format!("{item:?}").len());
    }
    // Same attributes, same size (invited_at is always 13 digits): nothing accumulates.
    assert!(sizes.windows(2).all(|w| w[0] == w[1]), "{sizes:?}");

    let (shown, ops) = h.counted(h.api(&owner).contact(id)).await;
    assert_eq!(shown.status, 200, "{}", shown.text);
    conversations.reverse(); // newest first
    assert_eq!(shown.json()["conversation_ids"], json!(conversations));
    let mut ops = after_authentication(ops);
    ops.sort();
    assert_eq!(
        ops,
        ["GetItem", "PutItem", "Query"],
        "GetItem ‖ Query ‖ audit PutItem"
    );
}

#[tokio::test]
async fn a_contact_with_more_conversations_than_shown_lists_the_newest_hundred_in_one_query() {
    use canopy_shared::adapters::dynamo::contacts::{list_conversation, CONVERSATIONS_SHOWN};
    use canopy_shared::adapters::dynamo::Tx;
    use canopy_shared::domain::ids::{ContactId, ConversationId, OrgId};
    let (h, owner) = Harness::with_practice("Growth Many").await;
    let contact = h
        .new_contact(&owner, "Mo Many", Some(&random_phone()), None)
        .await;
    let id: ContactId = contact["id"].as_str().unwrap().parse().unwrap();
    let org: OrgId = owner.org_id.parse().unwrap();
    // 130 conversations listed under the contact, as invites list them, 25 per transaction.
    let all: Vec<ConversationId> = (0..130).map(|_| ConversationId::generate()).collect();
    for chunk in all.chunks(25) {
        let mut tx = Tx::new();
        for c in chunk {
            list_conversation(&mut tx, &org, &id, c).unwrap();
        }
        h.app.store.commit(tx).await.unwrap();
    }
    let (shown, ops) = h.counted(h.api(&owner).contact(&id.to_string())).await;
    assert_eq!(shown.status, 200, "{}", shown.text);
    let ids = shown.json()["conversation_ids"].as_array().unwrap().clone();
    assert_eq!(ids.len(), CONVERSATIONS_SHOWN);
    let mut newest: Vec<String> = all.iter().map(ToString::to_string).collect();
    newest.sort_by(|a, b| b.cmp(a));
    newest.truncate(CONVERSATIONS_SHOWN);
    assert_eq!(ids, newest.iter().map(|c| json!(c)).collect::<Vec<_>>());
    let ops = after_authentication(ops);
    assert_eq!(ops.iter().filter(|o| *o == "Query").count(), 1, "{ops:?}");
    let item = contact_item(&h, &owner.org_id, &id.to_string()).await;
    assert!(!item.contains_key("conversation_ids"));
}

#[tokio::test]
async fn an_early_message_with_many_later_receipts_is_read_with_one_lookup_per_reader() {
    let (h, owner) = Harness::with_practice("Growth Receipts").await;
    let teammate = h.new_teammate(&owner, "admin").await;
    let patient = h.new_patient(&owner, "Pat Receipts").await;
    let conv = h
        .new_conversation(&owner, &[&patient.contact_id, &teammate.account_id], None)
        .await;
    let early = h.post_id(&owner, &conv, "First", "c-0").await;
    h.read_through(&patient, &conv, &early).await;
    let before = h.api(&owner).message(&conv, &early).await;
    assert_eq!(before.status, 200, "{}", before.text);
    let seen = before.json()["seen_by"].clone();
    assert_eq!(seen.as_array().unwrap().len(), 1, "{seen}");
    let patient_seen_at = seen[0]["seen_at"].clone();

    // 60 later messages, each read by the patient: 120 receipts after the early message.
    for i in 1..=60 {
        let m = h.post_id(&owner, &conv, "Later", &format!("c-{i}")).await;
        h.read_through(&patient, &conv, &m).await;
    }
    // The teammate reads it only now, through a later message.
    let last = h.post_id(&owner, &conv, "Last", "c-last").await;
    let teammate_read = h.api(&teammate).read(&conv, &last).await;
    assert_eq!(teammate_read.status, 200, "{}", teammate_read.text);

    let (after, ops) = h.counted(h.api(&owner).message(&conv, &early)).await;
    assert_eq!(after.status, 200, "{}", after.text);
    let seen_by = after.json()["seen_by"].as_array().unwrap().clone();
    assert_eq!(seen_by.len(), 2, "{seen_by:?}");
    let of = |id: &str| seen_by.iter().find(|r| r["id"] == id).unwrap()["seen_at"].clone();
    // seen_at is when each reader's horizon first reached it: unchanged by later receipts.
    assert_eq!(of(&patient.account_id), patient_seen_at);
    assert!(of(&teammate.account_id).as_str() > patient_seen_at.as_str());
    // Round trips: the conversation and the message (GetItem each), the audit PutItem and
    // the group readers' own horizons (one Query, concurrent with them), one Limit-1 Query
    // per reader (2), and at most one BatchGetItem for names: never a page through the
    // 120 later receipts.
    let ops = after_authentication(ops);
    let queries = ops.iter().filter(|o| *o == "Query").count();
    assert_eq!(queries, 1 + 2, "{ops:?}");
    assert!(ops.len() <= 7, "{ops:?}");
    println!("seen_by of an early message after 120 later receipts: {ops:?}");
}
