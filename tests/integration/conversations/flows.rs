use canopy_tests::{Harness, Reply};
use serde_json::{json, Value};

/// The texts of a messages page, in order.
fn texts_of(page: &Reply) -> Vec<Value> {
    page.items().iter().map(|m| m["text"].clone()).collect()
}

#[tokio::test]
async fn staff_post_the_patient_sees_one_unread_reads_it_and_staff_see_seen_by() {
    let (h, owner, patient, conv) = Harness::with_chat("Birch Clinic", "Pat Lee").await;

    let posted = h
        .api(&owner)
        .post_message(&conv, "Your results are in.", "c-1")
        .await;
    assert_eq!(posted.status, 201, "{}", posted.text);
    let msg = posted.string("id");
    assert!(msg.starts_with("msg_"));
    assert_eq!(posted.json()["sender_id"], owner.account_id);

    let row = h
        .inbox_row(&patient, &conv)
        .await
        .expect("in the patient's inbox");
    assert_eq!(row["unread_count"], 1);
    assert_eq!(row["preview"], "Your results are in.");
    assert!(row.get("tags").is_none(), "patients do not see tags");
    let page = h.api(&patient).messages(&conv, "").await;
    assert_eq!(page.status, 200, "{}", page.text);
    let items = page.json()["items"].as_array().unwrap().clone();
    assert_eq!(items.len(), 1);
    assert_eq!(items[0]["text"], "Your results are in.");
    // Staff's own message is not unread for them.
    assert_eq!(h.inbox_row(&owner, &conv).await.unwrap()["unread_count"], 0);

    let read = h.api(&patient).read(&conv, &msg).await;
    assert_eq!(read.status, 200, "{}", read.text);
    assert_eq!(
        read.json(),
        json!({"last_read_message_id": msg, "unread_count": 0})
    );
    assert_eq!(
        h.inbox_row(&patient, &conv).await.unwrap()["unread_count"],
        0
    );

    let one = h.api(&owner).message(&conv, &msg).await;
    assert_eq!(one.status, 200, "{}", one.text);
    let body = one.json();
    assert_eq!(body["sent_by"]["id"], owner.account_id);
    assert_eq!(body["sent_by"]["name"], "Dr. Owner");
    let seen = body["seen_by"].as_array().unwrap();
    assert_eq!(seen.len(), 1, "{body}");
    assert_eq!(seen[0]["id"], patient.account_id);
    assert_eq!(seen[0]["name"], "Pat Lee");
    assert!(seen[0]["seen_at"].as_str().unwrap().ends_with('Z'));

    let details = h.api(&owner).conversation(&conv).await;
    assert_eq!(details.status, 200);
    let p = &details.json()["participants"][0];
    assert_eq!(p["id"], patient.account_id);
    assert_eq!(p["kind"], "patient");
    assert_eq!(p["last_read_at"], seen[0]["seen_at"]);
}

#[tokio::test]
async fn read_only_refuses_posts_from_everyone_and_reactivation_restores_them() {
    let (h, owner, patient, conv) = Harness::with_chat("Cedar Clinic", "Ann Ray").await;
    let first = h.api(&patient).post_message(&conv, "hello", "p-1").await;
    assert_eq!(first.status, 201);

    let closed = h
        .api(&owner)
        .patch_conversation(&conv, json!({"read_only": true}))
        .await;
    assert_eq!(closed.status, 200, "{}", closed.text);
    assert_eq!(closed.json()["read_only"], true);
    let seen_by_patient = h.api(&patient).conversation(&conv).await;
    assert_eq!(seen_by_patient.json()["read_only"], true);
    assert!(seen_by_patient.json().get("tags").is_none());

    let refused = h
        .api(&patient)
        .post_message(&conv, "still there?", "p-2")
        .await;
    assert_eq!(refused.status, 409);
    assert_eq!(refused.error_code(), "read_only");
    let refused = h.api(&owner).post_message(&conv, "staff too", "s-1").await;
    assert_eq!(refused.error_code(), "read_only");
    // Receipts are still accepted on a read-only conversation.
    let msg = first.string("id");
    let read = h.api(&owner).read(&conv, &msg).await;
    assert_eq!(read.status, 200, "{}", read.text);

    let reopened = h
        .api(&owner)
        .patch_conversation(
            &conv,
            json!({"read_only": false, "tags": ["billing"], "subject": "Bills"}),
        )
        .await;
    assert_eq!(reopened.status, 200, "{}", reopened.text);
    assert_eq!(reopened.json()["tags"], json!(["billing"]));
    let again = h
        .api(&patient)
        .post_message(&conv, "still there?", "p-2")
        .await;
    assert_eq!(again.status, 201, "{}", again.text);
    let tagged = h.api(&owner).inbox("?tag=billing").await;
    let ids: Vec<_> = tagged.json()["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["id"].clone())
        .collect();
    assert_eq!(ids, vec![json!(conv)]);
    let patient_view = h.inbox_row(&patient, &conv).await.unwrap();
    assert_eq!(patient_view["subject"], "Bills");
    assert_eq!(patient_view["read_only"], false);
}

#[tokio::test]
async fn same_client_message_id_gives_the_same_message_and_other_text_is_422() {
    let (h, owner, patient, conv) = Harness::with_chat("Dogwood Clinic", "Bo Diaz").await;
    let a = h
        .api(&patient)
        .post_message(&conv, "refill please", "k-1")
        .await;
    let b = h
        .api(&patient)
        .post_message(&conv, "refill please", "k-1")
        .await;
    assert_eq!((a.status, b.status), (201, 201));
    assert_eq!(a.json(), b.json());
    let c = h
        .api(&patient)
        .post_message(&conv, "something else", "k-1")
        .await;
    assert_eq!(c.status, 422);
    assert_eq!(c.error_code(), "idempotency_key_reused");
    let d = h.api(&owner).conversation(&conv).await;
    assert_eq!(d.json()["message_count"], 1);
}

#[tokio::test]
async fn message_text_and_body_are_validated_with_named_fields() {
    let (h, owner, _, conv) = Harness::with_chat("Elder Clinic", "Cy Fox").await;
    let empty = h.api(&owner).post_message(&conv, "   ", "v-1").await;
    assert_eq!(empty.status, 400);
    assert!(empty.text.contains("text"));
    let long = h
        .api(&owner)
        .post_message(&conv, &"x".repeat(4_001), "v-2")
        .await;
    assert_eq!(long.status, 400);
    let ok = h
        .api(&owner)
        .post_message(&conv, &"x".repeat(4_000), "v-3")
        .await;
    assert_eq!(ok.status, 201);
    let bad_id = h.api(&owner).post_message(&conv, "hi", "has space").await;
    assert_eq!(bad_id.status, 400);
    assert!(bad_id.text.contains("client_message_id"));
    let missing = h
        .api(&owner)
        .post_message_with(&conv, json!({"text": "hi"}))
        .await;
    assert_eq!(missing.status, 400);
}

#[tokio::test]
async fn creating_conversations_checks_accounts_contacts_and_group_sms() {
    let (h, owner) = Harness::with_practice("Fir Clinic").await;
    let teammate = h.new_teammate(&owner, "member").await;
    let patient = h.new_patient(&owner, "Di Gray").await;
    let no_account = h.new_contact_without_account(&owner).await;

    let refused = h
        .api(&owner)
        .create_conversation(
            json!({"kind": "secure", "participant_ids": [patient.contact_id, no_account]}),
        )
        .await;
    assert_eq!(refused.status, 409);
    assert_eq!(refused.error_code(), "no_account");

    let group = h.api(&owner).create_conversation(json!({"kind": "secure", "participant_ids": [patient.contact_id, teammate.account_id], "subject": "Care team"}))
        .await;
    assert_eq!(group.status, 201, "{}", group.text);
    let kinds: Vec<_> = group.json()["participants"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["kind"].clone())
        .collect();
    assert_eq!(kinds, vec![json!("patient"), json!("staff")]);
    assert_eq!(group.json()["state"], "active");
    // Several conversations per patient, each with its own subject.
    let second = h
        .new_conversation(&owner, &[&patient.contact_id], None)
        .await;
    h.settle().await; // patients' inbox rows follow the stream
    let inbox = h.api(&patient).inbox("").await;
    assert_eq!(inbox.json()["items"].as_array().unwrap().len(), 2);
    assert_eq!(
        inbox.json()["items"][0]["id"],
        second,
        "newest activity first"
    );

    let group_sms = h.api(&owner).create_conversation(json!({"kind": "standard", "contact_id": no_account, "participant_ids": [patient.contact_id, no_account], "channel": "sms"}))
        .await;
    assert_eq!(group_sms.status, 400);
    let standard = h
        .api(&owner)
        .create_conversation(
            json!({"kind": "standard", "contact_id": no_account, "channel": "sms"}),
        )
        .await;
    assert_eq!(standard.status, 201, "{}", standard.text);
    assert_eq!(standard.json()["opted_out"], false);
    let sid = standard.string("id");
    let held = h
        .api(&owner)
        .post_message(&sid, "Call us back", "std-1")
        .await;
    assert_eq!(held.status, 201, "{}", held.text);
    assert_eq!(held.json()["delivery"]["status"], "queued");
    assert_eq!(held.json()["direction"], "outbound");
    let no_email = h
        .api(&owner)
        .create_conversation(
            json!({"kind": "standard", "contact_id": no_account, "channel": "email"}),
        )
        .await;
    assert_eq!(no_email.status, 400);
    let by_patient = h
        .api(&patient)
        .create_conversation(json!({"kind": "secure", "participant_ids": [patient.contact_id]}))
        .await;
    assert_eq!(by_patient.status, 403);
}

#[tokio::test]
async fn links_route_conversations_and_filter_the_inbox() {
    let (h, owner) = Harness::with_practice("Gum Clinic").await;
    let inside = h.new_teammate(&owner, "member").await;
    let outside = h.new_teammate(&owner, "member").await;
    let link = h
        .new_routed_link(
            &owner,
            &[&owner.account_id, &inside.account_id],
            &["new-patient"],
        )
        .await;
    let patient = h.new_patient(&owner, "Ed Hale").await;
    // The practice's only link is the default route, with its tags.
    let conv = h
        .new_conversation(&inside, &[&patient.contact_id], None)
        .await;
    let details = h.api(&inside).conversation(&conv).await;
    assert_eq!(details.json()["link_id"], link);
    assert_eq!(details.json()["tags"], json!(["new-patient"]));

    let by_link = h.api(&inside).inbox(&format!("?link_id={link}")).await;
    assert_eq!(by_link.status, 200);
    assert_eq!(by_link.json()["items"][0]["id"], conv);
    assert!(h.inbox_row(&outside, &conv).await.is_none());
    let not_theirs = h.api(&outside).inbox(&format!("?link_id={link}")).await;
    assert_eq!(not_theirs.status, 404);
    // Staff outside the link create conversations routed to no link (their only link is not theirs).
    let open = h
        .new_conversation(&outside, &[&patient.contact_id], None)
        .await;
    let d = h.api(&outside).conversation(&open).await;
    assert_eq!(d.json()["link_id"], serde_json::Value::Null);
    assert!(h.inbox_row(&inside, &open).await.is_some());
}

#[tokio::test]
async fn messages_page_newest_first_with_cursors_and_before() {
    let (h, owner, patient, conv) = Harness::with_chat("Hazel Clinic", "Flo Ives").await;
    let mut ids = Vec::new();
    for i in 0..5 {
        ids.push(
            h.post_id(&patient, &conv, &format!("m{i}"), &format!("m{i}"))
                .await,
        );
    }
    let first = h.api(&owner).messages(&conv, "?limit=2").await;
    let texts = texts_of(&first);
    assert_eq!(texts, vec![json!("m4"), json!("m3")]);
    let cursor = first.json()["next_cursor"].as_str().unwrap().to_string();
    let second = h
        .api(&owner)
        .messages(&conv, &format!("?limit=2&cursor={cursor}"))
        .await;
    let texts = texts_of(&second);
    assert_eq!(texts, vec![json!("m2"), json!("m1")]);
    let before = h
        .api(&owner)
        .messages(&conv, &format!("?before={}", ids[1]))
        .await;
    let texts = texts_of(&before);
    assert_eq!(texts, vec![json!("m0")]);
    // A cursor from another conversation is refused.
    let other = h
        .new_conversation(&owner, &[&patient.contact_id], None)
        .await;
    let forged = h
        .api(&owner)
        .messages(&other, &format!("?cursor={cursor}"))
        .await;
    assert_eq!(forged.status, 400);
}

#[tokio::test]
async fn posts_and_reads_of_messages_leave_audit_items_without_text() {
    use aws_sdk_dynamodb::types::AttributeValue;
    use canopy_shared::adapters::dynamo::keys;
    let (h, owner, _, conv) = Harness::with_chat("Ilex Clinic", "Vi Wu").await;
    let msg = h.post_id(&owner, &conv, "AUDIT-SECRET", "a-1").await;
    h.api(&owner).messages(&conv, "").await;
    h.api(&owner).message(&conv, &msg).await;
    let org = owner.org_id.parse().unwrap();
    let month = &canopy_shared::domain::time::rfc3339(h.app.now_ms())[..7];
    let out = h
        .db
        .query()
        .table_name(h.table())
        .key_condition_expression("#pk = :pk")
        .expression_attribute_names("#pk", "pk")
        .expression_attribute_values(":pk", AttributeValue::S(keys::audit_pk(Some(&org), month)))
        .consistent_read(true)
        .send()
        .await
        .unwrap();
    let items = out.items.unwrap_or_default();
    let actions: Vec<String> = items
        .iter()
        .filter(|i| format!("{:?}", i.get("targets")).contains(&conv))
        .map(|i| i["action"].as_s().unwrap().clone())
        .collect();
    for action in [
        "conversation.create",
        "message.post",
        "messages.list",
        "message.read",
    ] {
        assert!(
            actions.iter().any(|a| a == action),
            "{action} missing from {actions:?}"
        );
    }
    for item in &items {
        assert!(!format!("{item:?}").contains("AUDIT-SECRET"));
        assert!(
            item.contains_key("request_id")
                && item.contains_key("actor")
                && item.contains_key("role")
        );
    }
}
