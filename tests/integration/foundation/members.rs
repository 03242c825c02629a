use canopy_tests::fixtures::random_email;
use canopy_tests::{moto, Harness};
use serde_json::json;

#[tokio::test]
async fn a_member_cannot_add_or_remove_teammates() {
    let (h, owner) = Harness::with_practice("Team").await;
    let member = h.new_teammate(&owner, "member").await;
    let add = h
        .api(&member)
        .add_member("X", &random_email("x"), "member")
        .await;
    assert_eq!(add.status, 403);
    let remove = h.api(&member).remove_member(&owner.account_id).await;
    assert_eq!(remove.status, 403);
    // Members may still see the team.
    assert_eq!(h.api(&member).members().await.status, 200);
}

#[tokio::test]
async fn a_removed_teammate_loses_access_at_once() {
    let (h, owner) = Harness::with_practice("Team").await;
    let admin = h.new_teammate(&owner, "admin").await;
    let member = h.new_teammate(&owner, "member").await;
    assert_eq!(h.api(&member).members().await.status, 200);
    let removed = h.api(&admin).remove_member(&member.account_id).await;
    assert_eq!(removed.status, 204, "{}", removed.text);
    assert_eq!(h.api(&member).members().await.status, 401);
    let list = h.api(&owner).members().await.json();
    assert_eq!(list["items"].as_array().unwrap().len(), 2);
    // They cannot sign in again either: no code is sent to a removed address.
    let before = moto::emails_to(&member.email).len();
    assert_eq!(h.public().auth_start_email(&member.email).await.status, 202);
    assert_eq!(moto::emails_to(&member.email).len(), before);
}

#[tokio::test]
async fn the_last_owner_cannot_be_removed_and_admins_cannot_remove_owners() {
    let (h, owner) = Harness::with_practice("Owned").await;
    let admin = h.new_teammate(&owner, "admin").await;
    let by_admin = h.api(&admin).remove_member(&owner.account_id).await;
    assert_eq!(by_admin.status, 403);
    let by_self = h.api(&owner).remove_member(&owner.account_id).await;
    assert_eq!(by_self.status, 409);
    assert_eq!(by_self.error_code(), "last_owner");
    assert_eq!(h.api(&owner).members().await.status, 200);
}

#[tokio::test]
async fn a_teammate_email_is_unique_and_roles_are_checked() {
    let (h, owner) = Harness::with_practice("Unique").await;
    let email = random_email("dup");
    let body = json!({"name": "Dup", "email": email, "role": "member"});
    let api = h.api(&owner);
    assert_eq!(api.add_member_with(body.clone()).await.status, 201);
    let again = api.add_member_with(body).await;
    assert_eq!(again.status, 409);
    assert_eq!(again.error_code(), "already_invited");
    let owner_role = api.add_member("O", &random_email("o"), "owner").await;
    assert_eq!(owner_role.status, 400);
    assert!(owner_role.error_message().starts_with("role"));
}

#[tokio::test]
async fn adding_a_teammate_reveals_nothing_about_and_reserves_nothing_of_other_practices() {
    let (h, a) = Harness::with_practice("Practice A").await;
    let b = h.new_practice("Practice B").await;
    // B "adds" A's owner: the same 201 as for anyone, and nothing is claimed.
    let probe = h.api(&b).add_member("Probe", &a.email, "member").await;
    assert_eq!(probe.status, 201, "{}", probe.text);
    assert_eq!(probe.json()["status"], "invited");
    // A's owner still signs in to A.
    let token = h.sign_in_by_email(&a.email).await;
    let team = h.api(&token).members().await.json();
    assert_eq!(team["items"][0]["org_id"], a.org_id.as_str());
    // B "adds" an address nobody uses yet; its owner can still start their own practice.
    let victim = random_email("victim");
    let reserved = h.api(&b).add_member("V", &victim, "admin").await;
    assert_eq!(reserved.status, 201);
    let (_, own) = h.practice_signup("Victim Clinic", "V", &victim).await;
    assert_eq!(own.status, 200, "{}", own.text);
    assert_ne!(own.json()["account"]["org_id"], b.org_id.as_str());
}

#[tokio::test]
async fn an_invited_teammate_joins_with_their_first_code_and_can_be_removed_before() {
    let (h, owner) = Harness::with_practice("Team").await;
    let email = random_email("invited");
    let added = h.api(&owner).add_member("Sam", &email, "member").await;
    assert_eq!(added.json()["status"], "invited");
    let id = added.json()["id"].as_str().unwrap().to_string();
    // Removed before joining: no code is sent any more.
    assert_eq!(h.api(&owner).remove_member(&id).await.status, 204);
    assert_eq!(h.public().auth_start_email(&email).await.status, 202);
    assert!(moto::emails_to(&email).is_empty());
    // Invited again, they join with their first code and show as active.
    let member = h.new_teammate(&owner, "member").await;
    let team = h.api(&owner).members().await.json();
    let row = team["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["id"] == member.account_id.as_str())
        .unwrap()
        .clone();
    assert_eq!(row["status"], "active");
}
