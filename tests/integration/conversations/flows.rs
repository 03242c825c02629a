use canopy_tests::Harness;
use serde_json::json;

#[tokio::test]
async fn staff_post_the_patient_sees_one_unread_reads_it_and_staff_see_seen_by() {
    let h = Harness::new().await;
    let owner = h.new_practice("Birch Clinic").await;
    let patient = h.new_patient(&owner, "Pat Lee").await;
    let conv = h
        .new_conversation(&owner, &[&patient.contact_id], None)
        .await;

    let posted = h
        .post_message(&owner.token, &conv, "Your results are in.", "c-1")
        .await;
    assert_eq!(posted.status, 201, "{}", posted.text);
    let msg = posted.json()["id"].as_str().unwrap().to_string();
    assert!(msg.starts_with("msg_"));
    assert_eq!(posted.json()["sender_id"], owner.account_id);

    let row = h
        .inbox_row(&patient.token, &conv)
        .await
        .expect("in the patient's inbox");
    assert_eq!(row["unread_count"], 1);
    assert_eq!(row["preview"], "Your results are in.");
    assert!(row.get("tags").is_none(), "patients do not see tags");
    let page = h
        .call(
            "GET",
            &format!("/v1/conversations/{conv}/messages"),
            None,
            Some(&patient.token),
        )
        .await;
    assert_eq!(page.status, 200, "{}", page.text);
    let items = page.json()["items"].as_array().unwrap().clone();
    assert_eq!(items.len(), 1);
    assert_eq!(items[0]["text"], "Your results are in.");
    // Staff's own message is not unread for them.
    assert_eq!(
        h.inbox_row(&owner.token, &conv).await.unwrap()["unread_count"],
        0
    );

    let read = h
        .call(
            "POST",
            &format!("/v1/conversations/{conv}/read"),
            Some(json!({"message_id": msg})),
            Some(&patient.token),
        )
        .await;
    assert_eq!(read.status, 200, "{}", read.text);
    assert_eq!(
        read.json(),
        json!({"last_read_message_id": msg, "unread_count": 0})
    );
    assert_eq!(
        h.inbox_row(&patient.token, &conv).await.unwrap()["unread_count"],
        0
    );

    let one = h
        .call(
            "GET",
            &format!("/v1/conversations/{conv}/messages/{msg}"),
            None,
            Some(&owner.token),
        )
        .await;
    assert_eq!(one.status, 200, "{}", one.text);
    let body = one.json();
    assert_eq!(body["sent_by"]["id"], owner.account_id);
    assert_eq!(body["sent_by"]["name"], "Dr. Owner");
    let seen = body["seen_by"].as_array().unwrap();
    assert_eq!(seen.len(), 1, "{body}");
    assert_eq!(seen[0]["id"], patient.account_id);
    assert_eq!(seen[0]["name"], "Pat Lee");
    assert!(seen[0]["seen_at"].as_str().unwrap().ends_with('Z'));

    let details = h
        .call(
            "GET",
            &format!("/v1/conversations/{conv}"),
            None,
            Some(&owner.token),
        )
        .await;
    assert_eq!(details.status, 200);
    let p = &details.json()["participants"][0];
    assert_eq!(p["id"], patient.account_id);
    assert_eq!(p["kind"], "patient");
    assert_eq!(p["last_read_at"], seen[0]["seen_at"]);
}

#[tokio::test]
async fn read_only_refuses_posts_from_everyone_and_reactivation_restores_them() {
    let h = Harness::new().await;
    let owner = h.new_practice("Cedar Clinic").await;
    let patient = h.new_patient(&owner, "Ann Ray").await;
    let conv = h
        .new_conversation(&owner, &[&patient.contact_id], None)
        .await;
    let first = h.post_message(&patient.token, &conv, "hello", "p-1").await;
    assert_eq!(first.status, 201);

    let closed = h
        .call(
            "PATCH",
            &format!("/v1/conversations/{conv}"),
            Some(json!({"read_only": true})),
            Some(&owner.token),
        )
        .await;
    assert_eq!(closed.status, 200, "{}", closed.text);
    assert_eq!(closed.json()["read_only"], true);
    let seen_by_patient = h
        .call(
            "GET",
            &format!("/v1/conversations/{conv}"),
            None,
            Some(&patient.token),
        )
        .await;
    assert_eq!(seen_by_patient.json()["read_only"], true);
    assert!(seen_by_patient.json().get("tags").is_none());

    let refused = h
        .post_message(&patient.token, &conv, "still there?", "p-2")
        .await;
    assert_eq!(refused.status, 409);
    assert_eq!(refused.error_code(), "read_only");
    let refused = h
        .post_message(&owner.token, &conv, "staff too", "s-1")
        .await;
    assert_eq!(refused.error_code(), "read_only");
    // Receipts are still accepted on a read-only conversation.
    let msg = first.json()["id"].as_str().unwrap().to_string();
    let read = h
        .call(
            "POST",
            &format!("/v1/conversations/{conv}/read"),
            Some(json!({"message_id": msg})),
            Some(&owner.token),
        )
        .await;
    assert_eq!(read.status, 200, "{}", read.text);

    let reopened = h
        .call(
            "PATCH",
            &format!("/v1/conversations/{conv}"),
            Some(json!({"read_only": false, "tags": ["billing"], "subject": "Bills"})),
            Some(&owner.token),
        )
        .await;
    assert_eq!(reopened.status, 200, "{}", reopened.text);
    assert_eq!(reopened.json()["tags"], json!(["billing"]));
    let again = h
        .post_message(&patient.token, &conv, "still there?", "p-2")
        .await;
    assert_eq!(again.status, 201, "{}", again.text);
    let tagged = h
        .call(
            "GET",
            "/v1/conversations?tag=billing",
            None,
            Some(&owner.token),
        )
        .await;
    let ids: Vec<_> = tagged.json()["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["id"].clone())
        .collect();
    assert_eq!(ids, vec![json!(conv)]);
    let patient_view = h.inbox_row(&patient.token, &conv).await.unwrap();
    assert_eq!(patient_view["subject"], "Bills");
    assert_eq!(patient_view["read_only"], false);
}

#[tokio::test]
async fn same_client_message_id_gives_the_same_message_and_other_text_is_422() {
    let h = Harness::new().await;
    let owner = h.new_practice("Dogwood Clinic").await;
    let patient = h.new_patient(&owner, "Bo Diaz").await;
    let conv = h
        .new_conversation(&owner, &[&patient.contact_id], None)
        .await;
    let a = h
        .post_message(&patient.token, &conv, "refill please", "k-1")
        .await;
    let b = h
        .post_message(&patient.token, &conv, "refill please", "k-1")
        .await;
    assert_eq!((a.status, b.status), (201, 201));
    assert_eq!(a.json(), b.json());
    let c = h
        .post_message(&patient.token, &conv, "something else", "k-1")
        .await;
    assert_eq!(c.status, 422);
    assert_eq!(c.error_code(), "idempotency_key_reused");
    let d = h
        .call(
            "GET",
            &format!("/v1/conversations/{conv}"),
            None,
            Some(&owner.token),
        )
        .await;
    assert_eq!(d.json()["message_count"], 1);
}

#[tokio::test]
async fn message_text_and_body_are_validated_with_named_fields() {
    let h = Harness::new().await;
    let owner = h.new_practice("Elder Clinic").await;
    let patient = h.new_patient(&owner, "Cy Fox").await;
    let conv = h
        .new_conversation(&owner, &[&patient.contact_id], None)
        .await;
    let empty = h.post_message(&owner.token, &conv, "   ", "v-1").await;
    assert_eq!(empty.status, 400);
    assert!(empty.text.contains("text"));
    let long = h
        .post_message(&owner.token, &conv, &"x".repeat(4_001), "v-2")
        .await;
    assert_eq!(long.status, 400);
    let ok = h
        .post_message(&owner.token, &conv, &"x".repeat(4_000), "v-3")
        .await;
    assert_eq!(ok.status, 201);
    let bad_id = h.post_message(&owner.token, &conv, "hi", "has space").await;
    assert_eq!(bad_id.status, 400);
    assert!(bad_id.text.contains("client_message_id"));
    let missing = h
        .call(
            "POST",
            &format!("/v1/conversations/{conv}/messages"),
            Some(json!({"text": "hi"})),
            Some(&owner.token),
        )
        .await;
    assert_eq!(missing.status, 400);
}

#[tokio::test]
async fn creating_conversations_checks_accounts_contacts_and_group_sms() {
    let h = Harness::new().await;
    let owner = h.new_practice("Fir Clinic").await;
    let teammate = h.new_teammate(&owner, "member").await;
    let patient = h.new_patient(&owner, "Di Gray").await;
    let no_account = h.new_contact_without_account(&owner).await;

    let refused = h
        .call(
            "POST",
            "/v1/conversations",
            Some(json!({"kind": "secure", "participant_ids": [patient.contact_id, no_account]})),
            Some(&owner.token),
        )
        .await;
    assert_eq!(refused.status, 409);
    assert_eq!(refused.error_code(), "no_account");

    let group = h
        .call("POST", "/v1/conversations", Some(json!({"kind": "secure", "participant_ids": [patient.contact_id, teammate.account_id], "subject": "Care team"})), Some(&owner.token))
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
    let inbox = h
        .call("GET", "/v1/conversations", None, Some(&patient.token))
        .await;
    assert_eq!(inbox.json()["items"].as_array().unwrap().len(), 2);
    assert_eq!(
        inbox.json()["items"][0]["id"],
        second,
        "newest activity first"
    );

    let group_sms = h
        .call("POST", "/v1/conversations", Some(json!({"kind": "standard", "contact_id": no_account, "participant_ids": [patient.contact_id, no_account], "channel": "sms"})), Some(&owner.token))
        .await;
    assert_eq!(group_sms.status, 400);
    let standard = h
        .call(
            "POST",
            "/v1/conversations",
            Some(json!({"kind": "standard", "contact_id": no_account, "channel": "sms"})),
            Some(&owner.token),
        )
        .await;
    assert_eq!(standard.status, 201, "{}", standard.text);
    assert_eq!(standard.json()["delivery"], "pending");
    let sid = standard.json()["id"].as_str().unwrap().to_string();
    let held = h
        .post_message(&owner.token, &sid, "Call us back", "std-1")
        .await;
    assert_eq!(held.status, 201, "{}", held.text);
    assert_eq!(held.json()["delivery"], "pending");
    let no_email = h
        .call(
            "POST",
            "/v1/conversations",
            Some(json!({"kind": "standard", "contact_id": no_account, "channel": "email"})),
            Some(&owner.token),
        )
        .await;
    assert_eq!(no_email.status, 400);
    let by_patient = h
        .call(
            "POST",
            "/v1/conversations",
            Some(json!({"kind": "secure", "participant_ids": [patient.contact_id]})),
            Some(&patient.token),
        )
        .await;
    assert_eq!(by_patient.status, 403);
}

#[tokio::test]
async fn links_route_conversations_and_filter_the_inbox() {
    let h = Harness::new().await;
    let owner = h.new_practice("Gum Clinic").await;
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
    let details = h
        .call(
            "GET",
            &format!("/v1/conversations/{conv}"),
            None,
            Some(&inside.token),
        )
        .await;
    assert_eq!(details.json()["link_id"], link);
    assert_eq!(details.json()["tags"], json!(["new-patient"]));

    let by_link = h
        .call(
            "GET",
            &format!("/v1/conversations?link_id={link}"),
            None,
            Some(&inside.token),
        )
        .await;
    assert_eq!(by_link.status, 200);
    assert_eq!(by_link.json()["items"][0]["id"], conv);
    assert!(h.inbox_row(&outside.token, &conv).await.is_none());
    let not_theirs = h
        .call(
            "GET",
            &format!("/v1/conversations?link_id={link}"),
            None,
            Some(&outside.token),
        )
        .await;
    assert_eq!(not_theirs.status, 404);
    // Staff outside the link create conversations routed to no link (their only link is not theirs).
    let open = h
        .new_conversation(&outside, &[&patient.contact_id], None)
        .await;
    let d = h
        .call(
            "GET",
            &format!("/v1/conversations/{open}"),
            None,
            Some(&outside.token),
        )
        .await;
    assert_eq!(d.json()["link_id"], serde_json::Value::Null);
    assert!(h.inbox_row(&inside.token, &open).await.is_some());
}

#[tokio::test]
async fn messages_page_newest_first_with_cursors_and_before() {
    let h = Harness::new().await;
    let owner = h.new_practice("Hazel Clinic").await;
    let patient = h.new_patient(&owner, "Flo Ives").await;
    let conv = h
        .new_conversation(&owner, &[&patient.contact_id], None)
        .await;
    let mut ids = Vec::new();
    for i in 0..5 {
        let r = h
            .post_message(&patient.token, &conv, &format!("m{i}"), &format!("m{i}"))
            .await;
        ids.push(r.json()["id"].as_str().unwrap().to_string());
    }
    let first = h
        .call(
            "GET",
            &format!("/v1/conversations/{conv}/messages?limit=2"),
            None,
            Some(&owner.token),
        )
        .await;
    let texts: Vec<_> = first.json()["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["text"].clone())
        .collect();
    assert_eq!(texts, vec![json!("m4"), json!("m3")]);
    let cursor = first.json()["next_cursor"].as_str().unwrap().to_string();
    let second = h
        .call(
            "GET",
            &format!("/v1/conversations/{conv}/messages?limit=2&cursor={cursor}"),
            None,
            Some(&owner.token),
        )
        .await;
    let texts: Vec<_> = second.json()["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["text"].clone())
        .collect();
    assert_eq!(texts, vec![json!("m2"), json!("m1")]);
    let before = h
        .call(
            "GET",
            &format!("/v1/conversations/{conv}/messages?before={}", ids[1]),
            None,
            Some(&owner.token),
        )
        .await;
    let texts: Vec<_> = before.json()["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["text"].clone())
        .collect();
    assert_eq!(texts, vec![json!("m0")]);
    // A cursor from another conversation is refused.
    let other = h
        .new_conversation(&owner, &[&patient.contact_id], None)
        .await;
    let forged = h
        .call(
            "GET",
            &format!("/v1/conversations/{other}/messages?cursor={cursor}"),
            None,
            Some(&owner.token),
        )
        .await;
    assert_eq!(forged.status, 400);
}

#[tokio::test]
async fn posts_and_reads_of_messages_leave_audit_items_without_text() {
    use canopy_shared::adapters::dynamo::{keys, s};
    let h = Harness::new().await;
    let owner = h.new_practice("Ilex Clinic").await;
    let patient = h.new_patient(&owner, "Vi Wu").await;
    let conv = h
        .new_conversation(&owner, &[&patient.contact_id], None)
        .await;
    let msg = h
        .post_message(&owner.token, &conv, "AUDIT-SECRET", "a-1")
        .await
        .json()["id"]
        .as_str()
        .unwrap()
        .to_string();
    h.call(
        "GET",
        &format!("/v1/conversations/{conv}/messages"),
        None,
        Some(&owner.token),
    )
    .await;
    h.call(
        "GET",
        &format!("/v1/conversations/{conv}/messages/{msg}"),
        None,
        Some(&owner.token),
    )
    .await;
    let org = owner.org_id.parse().unwrap();
    let month = &canopy_shared::domain::time::rfc3339(h.app.now_ms())[..7];
    let out = h
        .app
        .db
        .query()
        .table_name(h.app.table())
        .key_condition_expression("#pk = :pk")
        .expression_attribute_names("#pk", "pk")
        .expression_attribute_values(":pk", s(keys::audit_pk(Some(&org), month)))
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
