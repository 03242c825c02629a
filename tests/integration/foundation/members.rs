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
    assert_eq!(again.error_code(), "already_invited");
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

#[tokio::test]
async fn adding_a_teammate_reveals_nothing_about_and_reserves_nothing_of_other_practices() {
    let h = Harness::new().await;
    let a = h.new_practice("Practice A").await;
    let b = h.new_practice("Practice B").await;
    // B "adds" A's owner: the same 201 as for anyone, and nothing is claimed.
    let probe = h
        .call(
            "POST",
            "/v1/members",
            Some(json!({"name": "Probe", "email": a.email, "role": "member"})),
            Some(&b.token),
        )
        .await;
    assert_eq!(probe.status, 201, "{}", probe.text);
    assert_eq!(probe.json()["status"], "invited");
    // A's owner still signs in to A.
    let token = h.sign_in_by_email(&a.email).await;
    let team = h
        .call("GET", "/v1/members", None, Some(&token))
        .await
        .json();
    assert_eq!(team["items"][0]["org_id"], a.org_id.as_str());
    // B "adds" an address nobody uses yet; its owner can still start their own practice.
    let victim = random_email("victim");
    let reserved = h
        .call(
            "POST",
            "/v1/members",
            Some(json!({"name": "V", "email": victim, "role": "admin"})),
            Some(&b.token),
        )
        .await;
    assert_eq!(reserved.status, 201);
    let started = h
        .call(
            "POST",
            "/v1/orgs",
            Some(
                json!({"practice_name": "Victim Clinic", "owner_name": "V", "owner_email": victim}),
            ),
            None,
        )
        .await;
    let challenge = started.json()["challenge_id"].as_str().unwrap().to_string();
    let code = canopy_tests::moto::latest_email_code(&victim).unwrap();
    let own = h
        .call(
            "POST",
            "/v1/auth/verify",
            Some(json!({"challenge_id": challenge, "code": code})),
            None,
        )
        .await;
    assert_eq!(own.status, 200, "{}", own.text);
    assert_ne!(own.json()["account"]["org_id"], b.org_id.as_str());
}

#[tokio::test]
async fn an_invited_teammate_joins_with_their_first_code_and_can_be_removed_before() {
    let h = Harness::new().await;
    let owner = h.new_practice("Team").await;
    let email = random_email("invited");
    let added = h
        .call(
            "POST",
            "/v1/members",
            Some(json!({"name": "Sam", "email": email, "role": "member"})),
            Some(&owner.token),
        )
        .await;
    assert_eq!(added.json()["status"], "invited");
    let id = added.json()["id"].as_str().unwrap().to_string();
    // Removed before joining: no code is sent any more.
    assert_eq!(
        h.call(
            "DELETE",
            &format!("/v1/members/{id}"),
            None,
            Some(&owner.token)
        )
        .await
        .status,
        204
    );
    assert_eq!(
        h.call(
            "POST",
            "/v1/auth/start",
            Some(json!({"email": email})),
            None
        )
        .await
        .status,
        202
    );
    assert!(canopy_tests::moto::emails_to(&email).is_empty());
    // Invited again, they join with their first code and show as active.
    let member = h.new_teammate(&owner, "member").await;
    let team = h
        .call("GET", "/v1/members", None, Some(&owner.token))
        .await
        .json();
    let row = team["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["id"] == member.account_id.as_str())
        .unwrap()
        .clone();
    assert_eq!(row["status"], "active");
}
