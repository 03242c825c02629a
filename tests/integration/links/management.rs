use super::front_desk;
use canopy_tests::fixtures::conversations::STAFF_AUTHENTICATION;
use canopy_tests::Harness;
use serde_json::json;

#[tokio::test]
async fn an_owner_creates_links_with_allocated_and_custom_codes() {
    let (h, owner) = Harness::with_practice("Elm Street Clinic").await;
    let allocated = front_desk(&h, &owner).await;
    let code = allocated["code"].as_str().unwrap();
    assert_eq!(code.len(), 6);
    assert!(code.bytes().all(|b| b.is_ascii_digit()));
    assert!(allocated["id"].as_str().unwrap().starts_with("link_"));
    assert_eq!(
        allocated["url"],
        format!("{}/{code}", h.app.settings.link_base_url)
    );
    assert_eq!(allocated["label"], "Front desk");
    assert_eq!(allocated["tags"], json!(["new-patient"]));
    assert_eq!(allocated["member_ids"], json!([]));
    assert_eq!(allocated["active"], true);

    let custom = h
        .create_link(
            &owner,
            json!({"label": "Flu clinic", "code": "Elm-Flu-2026"}),
        )
        .await;
    assert_eq!(custom["code"], "elm-flu-2026");

    // Stored as one item keyed by the code, carrying what the authorizer and pages need.
    let stored = h.stored_link("elm-flu-2026").await;
    assert_eq!(stored.org_id.to_string(), owner.org_id);
    assert_eq!(stored.practice_name, "Elm Street Clinic");
    assert_eq!(stored.id.to_string(), custom["id"].as_str().unwrap());
    assert!(stored.daily_clicks.is_empty());

    let list = h.api(&owner).links().await.json();
    let items = list["items"].as_array().unwrap();
    assert_eq!(items.len(), 2);
    assert_eq!(items[0]["id"], allocated["id"], "oldest first");
    assert_eq!(items[1]["clicks"], 0);
    assert_eq!(items[1]["signups"], 0);
}

#[tokio::test]
async fn a_taken_custom_code_is_409_and_bad_codes_are_400() {
    let (h, a) = Harness::with_practice("Practice A").await;
    let b = h.new_practice("Practice B").await;
    let code = format!("taken-{}", ulid::Ulid::new().to_string().to_lowercase());
    h.create_link(&a, json!({"label": "A", "code": code})).await;
    let again = h
        .api(&b)
        .create_link(json!({"label": "B", "code": code.to_uppercase()}))
        .await;
    assert_eq!(again.status, 409, "{}", again.text);
    assert_eq!(again.error_code(), "code_taken");
    // The first practice's link is untouched.
    let stored = h.stored_link(&code).await;
    assert_eq!(stored.org_id.to_string(), a.org_id);
    assert_eq!(stored.label, "A");

    for bad in [
        "static",
        "v1",
        "i",
        "abc",
        "has space",
        "under_score",
        &"x".repeat(33),
    ] {
        let r = h
            .api(&a)
            .create_link(json!({"label": "X", "code": bad}))
            .await;
        assert_eq!(r.status, 400, "{bad}: {}", r.text);
        assert!(r.error_message().starts_with("code:"), "{}", r.text);
    }
    let no_label = h.api(&a).create_link(json!({"label": "  "})).await;
    assert_eq!(no_label.status, 400);
    let unknown_field = h
        .api(&a)
        .create_link(json!({"label": "x", "clicks": 5}))
        .await;
    assert_eq!(unknown_field.status, 400);
}

#[tokio::test]
async fn a_member_lists_links_but_cannot_create_or_change_them() {
    let (h, owner) = Harness::with_practice("Elm Street Clinic").await;
    let member = h.new_teammate(&owner, "member").await;
    let admin = h.new_teammate(&owner, "admin").await;
    let link = front_desk(&h, &owner).await;
    let id = link["id"].as_str().unwrap();

    let create = h.api(&member).create_link(json!({"label": "Mine"})).await;
    assert_eq!(create.status, 403, "{}", create.text);
    let patch = h
        .api(&member)
        .patch_link(id, json!({"active": false}))
        .await;
    assert_eq!(patch.status, 403);
    assert!(h.listed_link(&member, id).await.unwrap()["active"]
        .as_bool()
        .unwrap());
    // Admins may.
    h.create_link(&admin, json!({"label": "Admin's"})).await;
    let by_admin = h
        .api(&admin)
        .patch_link(id, json!({"label": "Reception"}))
        .await;
    assert_eq!(by_admin.status, 200, "{}", by_admin.text);
    // Anonymous callers get nothing.
    assert_eq!(h.public().links().await.status, 401);
}

#[tokio::test]
async fn another_practice_cannot_read_or_change_links() {
    let (h, a) = Harness::with_practice("Practice A").await;
    let b = h.new_practice("Practice B").await;
    let link = front_desk(&h, &a).await;
    let id = link["id"].as_str().unwrap();
    assert!(h.listed_link(&b, id).await.is_none());
    let patch = h
        .api(&b)
        .patch_link(id, json!({"label": "Hijacked", "active": false}))
        .await;
    assert_eq!(patch.status, 404, "{}", patch.text);
    let mine = h.listed_link(&a, id).await.unwrap();
    assert_eq!(mine["label"], "Front desk");
    assert_eq!(mine["active"], true);
    // B cannot route A's link to B's staff either.
    let b_staff = h
        .api(&b)
        .patch_link(id, json!({"member_ids": [b.account_id]}))
        .await;
    assert_eq!(b_staff.status, 404);
}

#[tokio::test]
async fn patch_changes_label_tags_members_and_active() {
    let (h, owner) = Harness::with_practice("Elm Street Clinic").await;
    let nurse = h.new_teammate(&owner, "member").await;
    let other = h.new_practice("Other Clinic").await;
    let link = front_desk(&h, &owner).await;
    let id = link["id"].as_str().unwrap();
    let code = link["code"].as_str().unwrap();

    let changed = h.api(&owner).patch_link(id, json!({"label": "Nurse line", "tags": ["nurse", " Nurse ", "triage"], "member_ids": [nurse.account_id]}))
        .await;
    assert_eq!(changed.status, 200, "{}", changed.text);
    let body = changed.json();
    assert_eq!(body["label"], "Nurse line");
    assert_eq!(body["tags"], json!(["nurse", "triage"]));
    assert_eq!(body["member_ids"], json!([nurse.account_id]));
    assert_eq!(body["code"], code);
    let stored = h.stored_link(code).await;
    assert_eq!(stored.label, "Nurse line");
    assert_eq!(stored.member_ids.len(), 1);
    assert_eq!(stored.member_ids[0].to_string(), nurse.account_id);

    // Someone who is not on this practice's team cannot be a link member: a well-formed
    // id that names no teammate the caller sees is 404 (a malformed one 400).
    let outsider = h
        .api(&owner)
        .patch_link(id, json!({"member_ids": [other.account_id]}))
        .await;
    assert_eq!(outsider.status, 404);
    assert!(outsider.text.contains("member_ids"), "{}", outsider.text);
    let rejected_create = h
        .api(&owner)
        .create_link(json!({"label": "x", "member_ids": [other.account_id]}))
        .await;
    assert_eq!(rejected_create.status, 404);

    // Disabling hides the link from the public lookup; enabling brings it back.
    let off = h.api(&owner).patch_link(id, json!({"active": false})).await;
    assert_eq!(off.json()["active"], false);
    assert_eq!(h.public().public_link(code).await.status, 404);
    h.api(&owner).patch_link(id, json!({"active": true})).await;
    assert_eq!(h.public().public_link(code).await.status, 200);

    let unknown = h
        .api(&owner)
        .patch_link("link_01ARZ3NDEKTSV4RRFFQ69G5FAV", json!({"active": false}))
        .await;
    assert_eq!(unknown.status, 404);
}

#[tokio::test]
async fn the_public_lookup_shows_only_the_practice_name_and_label() {
    let (h, owner) = Harness::with_practice("Elm Street Clinic").await;
    let link = front_desk(&h, &owner).await;
    let code = link["code"].as_str().unwrap();
    h.app.db_calls.reset();
    let public = h.public().public_link(code).await;
    assert_eq!(public.status, 200);
    assert_eq!(
        public.json(),
        json!({"practice_name": "Elm Street Clinic", "label": "Front desk"})
    );
    assert_eq!(h.app.db_calls.count(), 1);
    let unknown = h.public().public_link("zz-nothing-here").await;
    assert_eq!(unknown.status, 404);
    assert_eq!(unknown.error_code(), "not_found");
}

#[tokio::test]
async fn creating_a_link_costs_two_round_trips_and_listing_two() {
    let (h, owner) = Harness::with_practice("Elm Street Clinic").await;
    front_desk(&h, &owner).await;
    // Authenticating the caller costs the same for every call: measure it with the list
    // (authentication + one Query + one BatchGetItem of the link's 16 click counter
    // shards), then subtract.
    h.app.db_calls.reset();
    h.api(&owner).links().await;
    let authentication = h.app.db_calls.count() - 2;
    assert_eq!(authentication, STAFF_AUTHENTICATION.len());
    h.app.db_calls.reset();
    front_desk(&h, &owner).await;
    // The org read, then ONE transaction (link + audit).
    assert_eq!(h.app.db_calls.count() - authentication, 2);
}
