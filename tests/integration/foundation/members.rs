use canopy_tests::fixtures::random_email;
use canopy_tests::Harness;
use serde_json::json;

#[tokio::test]
async fn a_member_cannot_add_or_remove_teammates() {
    let h = Harness::new().await;
    let owner = h.new_practice("Team").await;
    let member = h.new_teammate(&owner, "member").await;
    let add = h
        .call(
            "POST",
            "/v1/members",
            Some(json!({"name": "X", "email": random_email("x"), "role": "member"})),
            Some(&member.token),
        )
        .await;
    assert_eq!(add.status, 403);
    let remove = h
        .call(
            "DELETE",
            &format!("/v1/members/{}", owner.account_id),
            None,
            Some(&member.token),
        )
        .await;
    assert_eq!(remove.status, 403);
    // Members may still see the team.
    assert_eq!(
        h.call("GET", "/v1/members", None, Some(&member.token))
            .await
            .status,
        200
    );
}

#[tokio::test]
async fn a_removed_teammate_loses_access_at_once() {
    let h = Harness::new().await;
    let owner = h.new_practice("Team").await;
    let admin = h.new_teammate(&owner, "admin").await;
    let member = h.new_teammate(&owner, "member").await;
    assert_eq!(
        h.call("GET", "/v1/members", None, Some(&member.token))
            .await
            .status,
        200
    );
    let removed = h
        .call(
            "DELETE",
            &format!("/v1/members/{}", member.account_id),
            None,
            Some(&admin.token),
        )
        .await;
    assert_eq!(removed.status, 204, "{}", removed.text);
    assert_eq!(
        h.call("GET", "/v1/members", None, Some(&member.token))
            .await
            .status,
        401
    );
    let list = h
        .call("GET", "/v1/members", None, Some(&owner.token))
        .await
        .json();
    assert_eq!(list["items"].as_array().unwrap().len(), 2);
    // They cannot sign in again either: no code is sent to a removed address.
    let before = canopy_tests::moto::emails_to(&member.email).len();
    assert_eq!(
        h.call(
            "POST",
            "/v1/auth/start",
            Some(json!({"email": member.email})),
            None
        )
        .await
        .status,
        202
    );
    assert_eq!(canopy_tests::moto::emails_to(&member.email).len(), before);
}

#[tokio::test]
async fn the_last_owner_cannot_be_removed_and_admins_cannot_remove_owners() {
    let h = Harness::new().await;
    let owner = h.new_practice("Owned").await;
    let admin = h.new_teammate(&owner, "admin").await;
    let by_admin = h
        .call(
            "DELETE",
            &format!("/v1/members/{}", owner.account_id),
            None,
            Some(&admin.token),
        )
        .await;
    assert_eq!(by_admin.status, 403);
    let by_self = h
        .call(
            "DELETE",
            &format!("/v1/members/{}", owner.account_id),
            None,
            Some(&owner.token),
        )
        .await;
    assert_eq!(by_self.status, 409);
    assert_eq!(by_self.error_code(), "last_owner");
    assert_eq!(
        h.call("GET", "/v1/members", None, Some(&owner.token))
            .await
            .status,
        200
    );
}

#[tokio::test]
async fn a_teammate_email_is_unique_and_roles_are_checked() {
    let h = Harness::new().await;
    let owner = h.new_practice("Unique").await;
    let email = random_email("dup");
    let body = json!({"name": "Dup", "email": email, "role": "member"});
    assert_eq!(
        h.call(
            "POST",
            "/v1/members",
            Some(body.clone()),
            Some(&owner.token)
        )
        .await
        .status,
        201
    );
    let again = h
        .call("POST", "/v1/members", Some(body), Some(&owner.token))
        .await;
    assert_eq!(again.status, 409);
    assert_eq!(again.error_code(), "email_taken");
    let owner_role = h
        .call(
            "POST",
            "/v1/members",
            Some(json!({"name": "O", "email": random_email("o"), "role": "owner"})),
            Some(&owner.token),
        )
        .await;
    assert_eq!(owner_role.status, 400);
    assert!(owner_role.json()["error"]["message"]
        .as_str()
        .unwrap()
        .starts_with("role"));
}
