use canopy_tests::Harness;
use futures::future::join_all;

#[tokio::test]
async fn fifty_concurrent_posts_to_one_conversation_all_land_and_are_counted() {
    let (h, owner, patient, conv) = Harness::with_chat("Ivy Clinic", "Gil Jay").await;
    let posts = (0..50).map(|i| {
        let (h, conv) = (&h, conv.clone());
        let token = if i % 2 == 0 {
            owner.token.clone()
        } else {
            patient.token.clone()
        };
        async move {
            h.api(&token)
                .post_message(&conv, &format!("n{i}"), &format!("c{i}"))
                .await
        }
    });
    let replies = join_all(posts).await;
    for r in &replies {
        assert_eq!(r.status, 201, "{}", r.text);
    }
    let details = h.api(&owner).conversation(&conv).await;
    assert_eq!(details.json()["message_count"], 50);
    let page = h.api(&owner).messages(&conv, "?limit=100").await;
    let items = page.json()["items"].as_array().unwrap().clone();
    assert_eq!(items.len(), 50);
    // Newest first, and ids are in commit order: strictly decreasing.
    let ids: Vec<String> = items
        .iter()
        .map(|m| m["id"].as_str().unwrap().to_string())
        .collect();
    assert!(ids.windows(2).all(|w| w[0] > w[1]));
}

#[tokio::test]
async fn twenty_concurrent_retries_of_one_client_message_id_make_one_message() {
    let (h, owner, patient, conv) = Harness::with_chat("Juniper Clinic", "Hal Kim").await;
    let replies =
        join_all((0..20).map(|_| h.api(&patient).post_message(&conv, "same", "retry-1"))).await;
    let first = replies[0].json()["id"].clone();
    for r in &replies {
        assert_eq!(r.status, 201, "{}", r.text);
        assert_eq!(r.json()["id"], first);
    }
    let details = h.api(&owner).conversation(&conv).await;
    assert_eq!(details.json()["message_count"], 1);
    let page = h.api(&owner).messages(&conv, "").await;
    assert_eq!(page.json()["items"].as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn twenty_concurrent_patient_posts_show_staff_twenty_unread() {
    let (h, owner, patient, conv) = Harness::with_chat("Kapok Clinic", "Ida Lim").await;
    let replies = join_all((0..20).map(|i| {
        let (h, conv, token) = (&h, conv.clone(), patient.token.clone());
        async move {
            h.api(&token)
                .post_message(&conv, "pain is worse", &format!("p{i}"))
                .await
        }
    }))
    .await;
    assert!(replies.iter().all(|r| r.status == 201));
    let row = h.inbox_row(&owner, &conv).await.unwrap();
    assert_eq!(row["unread_count"], 20);
    assert_eq!(
        h.inbox_row(&patient, &conv).await.unwrap()["unread_count"],
        0
    );
}
