use canopy_tests::fixtures::random_email;
use canopy_tests::Harness;

#[tokio::test]
async fn a_practice_signs_up_and_its_owner_lists_the_team() {
    let h = Harness::new().await;
    let email = random_email("owner");
    // Nothing exists before the code is proven.
    let (started, verified) = h
        .practice_signup("Elm Street Clinic", "Dr. Ruiz", &email)
        .await;
    assert_eq!(started.status, 202);
    let challenge = started.json()["challenge_id"].as_str().unwrap().to_string();
    assert!(challenge.starts_with("chal_"));
    assert_eq!(verified.status, 200, "{}", verified.text);
    let body = verified.json();
    assert_eq!(body["account"]["role"], "owner");
    assert_eq!(body["account"]["name"], "Dr. Ruiz");
    let token = body["token"].as_str().unwrap();
    let members = h.api(token).members().await;
    assert_eq!(members.status, 200);
    let items = members.json()["items"].as_array().unwrap().clone();
    assert_eq!(items.len(), 1);
    assert_eq!(items[0]["email"], email.as_str());
    assert_eq!(items[0]["role"], "owner");
    assert_eq!(members.json()["next_cursor"], serde_json::Value::Null);
}

#[tokio::test]
async fn no_token_or_a_bad_token_is_401() {
    let h = Harness::new().await;
    assert_eq!(h.public().members().await.status, 401);
    let bad = h.api("not-a-token").members().await;
    assert_eq!(bad.status, 401);
    assert_eq!(bad.error_code(), "unauthorized");
    let unknown = canopy_shared::domain::secrets::new_token();
    assert_eq!(h.api(&unknown).members().await.status, 401);
}

#[tokio::test]
async fn another_practice_never_sees_or_touches_this_practices_team() {
    let (h, a) = Harness::with_practice("Practice A").await;
    let b = h.new_practice("Practice B").await;
    let seen_by_b = h.api(&b).members().await.json();
    let ids: Vec<&str> = seen_by_b["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, vec![b.account_id.as_str()]);
    assert!(!seen_by_b.to_string().contains(&a.email));
    let delete = h.api(&b).remove_member(&a.account_id).await;
    assert_eq!(delete.status, 404);
    // A is untouched.
    assert_eq!(h.api(&a).members().await.status, 200);
}

#[tokio::test]
async fn an_email_already_on_a_team_cannot_start_a_second_practice() {
    let (h, a) = Harness::with_practice("Practice A").await;
    let (started, verified) = h.practice_signup("Again", "Dr. Owner", &a.email).await;
    assert_eq!(started.status, 202);
    assert_eq!(verified.status, 409);
    assert_eq!(verified.error_code(), "email_taken");
}
