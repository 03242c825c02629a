use canopy_tests::Harness;
use serde_json::json;

#[tokio::test]
async fn horizons_only_move_forward_and_older_reads_count_exactly() {
    let (h, owner, patient, conv) = Harness::with_chat("Larch Clinic", "Jo Moss").await;
    let mut ids = Vec::new();
    for i in 0..6 {
        ids.push(
            h.post_id(&owner, &conv, &format!("m{i}"), &format!("h{i}"))
                .await,
        );
    }
    // An older-than-newest message: the exact (rare) path.
    assert_eq!(
        h.read_through(&patient, &conv, &ids[2]).await,
        json!({"last_read_message_id": ids[2], "unread_count": 3})
    );
    // Going back is a no-op answering the current horizon.
    assert_eq!(
        h.read_through(&patient, &conv, &ids[0]).await,
        json!({"last_read_message_id": ids[2], "unread_count": 3})
    );
    assert_eq!(
        h.read_through(&patient, &conv, &ids[4]).await["unread_count"],
        1
    );
    assert_eq!(
        h.read_through(&patient, &conv, &ids[5]).await["unread_count"],
        0
    );
    assert_eq!(
        h.read_through(&patient, &conv, &ids[3]).await["last_read_message_id"],
        json!(ids[5])
    );
    assert_eq!(
        h.inbox_row(&patient, &conv).await.unwrap()["unread_count"],
        0
    );

    // seen_at of m1 is the first time the horizon passed it (the read of m2), and stays so.
    let m1 = h.api(&owner).message(&conv, &ids[1]).await;
    let m2 = h.api(&owner).message(&conv, &ids[2]).await;
    let m5 = h.api(&owner).message(&conv, &ids[5]).await;
    assert_eq!(
        m1.json()["seen_by"][0]["seen_at"],
        m2.json()["seen_by"][0]["seen_at"]
    );
    assert!(
        m5.json()["seen_by"][0]["seen_at"].as_str() >= m2.json()["seen_by"][0]["seen_at"].as_str()
    );

    // A message id of another conversation is not found here.
    let other = h
        .new_conversation(&owner, &[&patient.contact_id], None)
        .await;
    let stray = h.api(&patient).read(&other, &ids[5]).await;
    assert_eq!(stray.status, 404);
}

#[tokio::test]
async fn concurrent_reads_of_one_reader_never_move_the_horizon_back() {
    let (h, owner, patient, conv) = Harness::with_chat("Maple Clinic", "Kai Nel").await;
    let mut ids = Vec::new();
    for i in 0..8 {
        ids.push(h.post_id(&owner, &conv, "x", &format!("x{i}")).await);
    }
    let reads = ids.iter().rev().map(|m| {
        let (h, conv, token, m) = (&h, conv.clone(), patient.token.clone(), m.clone());
        async move { h.read_through(&token, &conv, &m).await }
    });
    futures::future::join_all(reads).await;
    let row = h.inbox_row(&patient, &conv).await.unwrap();
    assert_eq!(row["unread_count"], 0);
    let d = h.api(&owner).conversation(&conv).await;
    assert!(d.json()["participants"][0]["last_read_at"].is_string());
}

#[tokio::test]
async fn a_group_of_three_patients_and_two_teammates_counts_each_readers_unread() {
    let (h, owner) = Harness::with_practice("Nutmeg Clinic").await;
    let t1 = h.new_teammate(&owner, "member").await;
    let t2 = h.new_teammate(&owner, "member").await;
    let p1 = h.new_patient(&owner, "Lu One").await;
    let p2 = h.new_patient(&owner, "Mo Two").await;
    let p3 = h.new_patient(&owner, "Ny Three").await;
    let conv = h
        .new_conversation(
            &owner,
            &[
                &p1.contact_id,
                &p2.contact_id,
                &p3.contact_id,
                &t1.account_id,
                &t2.account_id,
            ],
            None,
        )
        .await;
    let a = h.post_id(&p1, &conv, "from p1", "g1").await;
    let _b = h.api(&t1).post_message(&conv, "from t1", "g2").await;
    let c = h.post_id(&p2, &conv, "from p2", "g3").await;
    h.read_through(&p3, &conv, &a).await;
    h.read_through(&t2, &conv, &c).await;
    // p1 sent 1 of 3 (read through its own message), p2 sent the newest, t1 sent the 2nd.
    assert_eq!(h.inbox_row(&p1, &conv).await.unwrap()["unread_count"], 2);
    assert_eq!(h.inbox_row(&p2, &conv).await.unwrap()["unread_count"], 0);
    assert_eq!(h.inbox_row(&p3, &conv).await.unwrap()["unread_count"], 2);
    assert_eq!(h.inbox_row(&t1, &conv).await.unwrap()["unread_count"], 1);
    assert_eq!(h.inbox_row(&t2, &conv).await.unwrap()["unread_count"], 0);
    assert_eq!(h.inbox_row(&owner, &conv).await.unwrap()["unread_count"], 3);
    let seen = h.api(&p2).message(&conv, &a).await;
    let mut readers: Vec<String> = seen.json()["seen_by"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_str().unwrap().to_string())
        .collect();
    readers.sort();
    let mut expected = vec![
        t1.account_id.clone(),
        p2.account_id.clone(),
        p3.account_id.clone(),
        t2.account_id.clone(),
    ];
    expected.sort();
    assert_eq!(
        readers, expected,
        "posting after a message counts as having seen it"
    );
}
