//! Group read receipts (issue 13, "scale"): in a conversation of more than two, each
//! reader's receipt moves an item of their own (`H#reader`) and never the conversation's,
//! so a group reading a new message at once shares no item; the stream folds the horizons
//! into the conversation, where the inboxes and badges read them. (That the receipt's
//! transaction names no shared item is asserted on its slots, in
//! `adapters::dynamo::conversations::horizons`; the bench counts writes per item.)

use aws_sdk_dynamodb::types::AttributeValue;
use canopy_tests::Harness;
use serde_json::json;

/// The account ids in the conversation item's `reads` map, as stored.
async fn stored_readers(h: &Harness, conversation: &str) -> Vec<String> {
    let item =
        h.db.get_item()
            .table_name(h.table())
            .key("pk", AttributeValue::S(format!("CONV#{conversation}")))
            .key("sk", AttributeValue::S("#META".into()))
            .consistent_read(true)
            .send()
            .await
            .expect("conversation item")
            .item
            .expect("the conversation exists");
    let mut readers: Vec<String> = item
        .get("reads")
        .and_then(|r| r.as_m().ok())
        .map(|m| m.keys().cloned().collect())
        .unwrap_or_default();
    readers.sort();
    readers
}

#[tokio::test]
async fn a_group_reading_at_once_writes_items_of_its_own_and_the_inbox_catches_up() {
    let (h, owner) = Harness::with_practice("Juniper Clinic").await;
    let teammate = h.new_teammate(&owner, "member").await;
    let mut patients = Vec::new();
    for name in ["Ada One", "Bea Two", "Cy Three", "Di Four"] {
        patients.push(h.new_patient(&owner, name).await);
    }
    let mut members: Vec<&str> = patients.iter().map(|p| p.contact_id.as_str()).collect();
    members.push(&teammate.account_id);
    let conv = h.new_conversation(&owner, &members, None).await;
    let m = h.post_id(&owner, &conv, "Group news", "gr-1").await;

    // The first receipt of this group in the process tries the two-person write, which
    // the conversation refuses; from then on: one read, then the reader's own items.
    let (first, ops) = h.counted(h.api(&patients[0]).read(&conv, &m)).await;
    assert_eq!(
        first.json(),
        json!({"last_read_message_id": m, "unread_count": 0})
    );
    assert_eq!(
        ops,
        ["TransactWriteItems", "BatchGetItem", "TransactWriteItems"]
    );
    let (second, ops) = h.counted(h.api(&patients[1]).read(&conv, &m)).await;
    assert_eq!(second.status, 200, "{}", second.text);
    assert_eq!(ops, ["BatchGetItem", "TransactWriteItems"]);

    // Seen-by is exact before the stream has folded anything in.
    let seen = h.api(&owner).message(&conv, &m).await;
    let mut seen_ids: Vec<String> = seen.json()["seen_by"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_str().unwrap().to_string())
        .collect();
    seen_ids.sort();
    let mut expected = vec![
        patients[0].account_id.clone(),
        patients[1].account_id.clone(),
    ];
    expected.sort();
    assert_eq!(seen_ids, expected);

    // Everyone else at once: all answered, none refused.
    let rest = patients[2..]
        .iter()
        .map(|p| p.token.clone())
        .chain([teammate.token.clone()]);
    let reads = rest.map(|token| {
        let (h, conv, m) = (&h, &conv, &m);
        async move { h.api(&token).read(conv, m).await }
    });
    for reply in futures::future::join_all(reads).await {
        assert_eq!(reply.status, 200, "{}", reply.text);
        assert_eq!(reply.json()["unread_count"], 0);
    }

    // Once the stream has run, every reader's badge and the conversation's horizons agree.
    for p in &patients {
        let row = h.inbox_row(p, &conv).await.expect("a participant's row");
        assert_eq!(row["unread_count"], 0, "{}", p.account_id);
    }
    let row = h.inbox_row(&teammate, &conv).await.unwrap();
    assert_eq!(row["unread_count"], 0);
    let stored = stored_readers(&h, &conv).await;
    for p in &patients {
        assert!(stored.contains(&p.account_id), "folded: {}", p.account_id);
    }
    assert!(stored.contains(&teammate.account_id));
    let details = h.api(&owner).conversation(&conv).await;
    let last_read = details.json()["participants"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|p| p["last_read_at"].is_string())
        .count();
    assert!(last_read >= 5, "{}", details.text);

    // An older receipt is a no-op answered with the reader's own horizon.
    let m2 = h.post_id(&owner, &conv, "Later news", "gr-2").await;
    let back = h.api(&patients[0]).read(&conv, &m).await;
    assert_eq!(
        back.json(),
        json!({"last_read_message_id": m, "unread_count": 1})
    );
    let ahead = h.api(&patients[0]).read(&conv, &m2).await;
    assert_eq!(ahead.json()["unread_count"], 0);
    assert_eq!(
        h.inbox_row(&patients[0], &conv).await.unwrap()["unread_count"],
        0
    );
}

#[tokio::test]
async fn a_group_receipt_counts_exactly_when_an_older_message_is_read() {
    let (h, owner) = Harness::with_practice("Hazel Clinic").await;
    let p1 = h.new_patient(&owner, "Eli Five").await;
    let p2 = h.new_patient(&owner, "Fay Six").await;
    let conv = h
        .new_conversation(&owner, &[&p1.contact_id, &p2.contact_id], None)
        .await;
    let mut ids = Vec::new();
    for i in 0..5 {
        ids.push(
            h.post_id(&owner, &conv, &format!("g{i}"), &format!("go-{i}"))
                .await,
        );
    }
    let read = |p, m: &String| {
        let (h, conv, m) = (&h, &conv, m.clone());
        async move { h.read_through(p, conv, &m).await }
    };
    assert_eq!(
        read(&p1, &ids[1]).await,
        json!({"last_read_message_id": ids[1], "unread_count": 3})
    );
    assert_eq!(read(&p1, &ids[3]).await["unread_count"], 1);
    assert_eq!(
        read(&p1, &ids[0]).await,
        json!({"last_read_message_id": ids[3], "unread_count": 1})
    );
    assert_eq!(h.inbox_row(&p1, &conv).await.unwrap()["unread_count"], 1);
    assert_eq!(h.inbox_row(&p2, &conv).await.unwrap()["unread_count"], 5);
    // Posting moves the poster's horizon on the conversation; a fold of their older
    // receipt coming later does not move it back.
    h.post_id(&p1, &conv, "reply", "go-reply").await;
    assert_eq!(h.inbox_row(&p1, &conv).await.unwrap()["unread_count"], 0);
}
