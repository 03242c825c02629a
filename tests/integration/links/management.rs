use super::{create_link, front_desk, listed};
use canopy_shared::links::get_by_code;
use canopy_tests::Harness;
use serde_json::json;

#[tokio::test]
async fn an_owner_creates_links_with_allocated_and_custom_codes() {
    let h = Harness::new().await;
    let owner = h.new_practice("Elm Street Clinic").await;
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

    let custom = create_link(
        &h,
        &owner,
        json!({"label": "Flu clinic", "code": "Elm-Flu-2026"}),
    )
    .await;
    assert_eq!(custom["code"], "elm-flu-2026");

    // Stored as one item keyed by the code, carrying what the authorizer and pages need.
    let stored = get_by_code(&h.app, "elm-flu-2026").await.unwrap().unwrap();
    assert_eq!(stored.org_id.to_string(), owner.org_id);
    assert_eq!(stored.practice_name, "Elm Street Clinic");
    assert_eq!(stored.id.to_string(), custom["id"].as_str().unwrap());
    assert!(stored.daily_clicks.is_empty());

    let list = h
        .call("GET", "/v1/links", None, Some(&owner.token))
        .await
        .json();
    let items = list["items"].as_array().unwrap();
    assert_eq!(items.len(), 2);
    assert_eq!(items[0]["id"], allocated["id"], "oldest first");
    assert_eq!(items[1]["clicks"], 0);
    assert_eq!(items[1]["signups"], 0);
}

#[tokio::test]
async fn a_taken_custom_code_is_409_and_bad_codes_are_400() {
    let h = Harness::new().await;
    let a = h.new_practice("Practice A").await;
    let b = h.new_practice("Practice B").await;
    let code = format!("taken-{}", ulid::Ulid::new().to_string().to_lowercase());
    create_link(&h, &a, json!({"label": "A", "code": code})).await;
    let again = h
        .call(
            "POST",
            "/v1/links",
            Some(json!({"label": "B", "code": code.to_uppercase()})),
            Some(&b.token),
        )
        .await;
    assert_eq!(again.status, 409, "{}", again.text);
    assert_eq!(again.error_code(), "code_taken");
    // The first practice's link is untouched.
    let stored = get_by_code(&h.app, &code).await.unwrap().unwrap();
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
            .call(
                "POST",
                "/v1/links",
                Some(json!({"label": "X", "code": bad})),
                Some(&a.token),
            )
            .await;
        assert_eq!(r.status, 400, "{bad}: {}", r.text);
        assert!(
            r.json()["error"]["message"]
                .as_str()
                .unwrap()
                .starts_with("code:"),
            "{}",
            r.text
        );
    }
    let no_label = h
        .call(
            "POST",
            "/v1/links",
            Some(json!({"label": "  "})),
            Some(&a.token),
        )
        .await;
    assert_eq!(no_label.status, 400);
    let unknown_field = h
        .call(
            "POST",
            "/v1/links",
            Some(json!({"label": "x", "clicks": 5})),
            Some(&a.token),
        )
        .await;
    assert_eq!(unknown_field.status, 400);
}

#[tokio::test]
async fn a_member_lists_links_but_cannot_create_or_change_them() {
    let h = Harness::new().await;
    let owner = h.new_practice("Elm Street Clinic").await;
    let member = h.new_teammate(&owner, "member").await;
    let admin = h.new_teammate(&owner, "admin").await;
    let link = front_desk(&h, &owner).await;
    let id = link["id"].as_str().unwrap();

    let create = h
        .call(
            "POST",
            "/v1/links",
            Some(json!({"label": "Mine"})),
            Some(&member.token),
        )
        .await;
    assert_eq!(create.status, 403, "{}", create.text);
    let patch = h
        .call(
            "PATCH",
            &format!("/v1/links/{id}"),
            Some(json!({"active": false})),
            Some(&member.token),
        )
        .await;
    assert_eq!(patch.status, 403);
    assert!(listed(&h, &member, id).await.unwrap()["active"]
        .as_bool()
        .unwrap());
    // Admins may.
    create_link(&h, &admin, json!({"label": "Admin's"})).await;
    let by_admin = h
        .call(
            "PATCH",
            &format!("/v1/links/{id}"),
            Some(json!({"label": "Reception"})),
            Some(&admin.token),
        )
        .await;
    assert_eq!(by_admin.status, 200, "{}", by_admin.text);
    // Anonymous callers get nothing.
    assert_eq!(h.call("GET", "/v1/links", None, None).await.status, 401);
}

#[tokio::test]
async fn another_practice_cannot_read_or_change_links() {
    let h = Harness::new().await;
    let a = h.new_practice("Practice A").await;
    let b = h.new_practice("Practice B").await;
    let link = front_desk(&h, &a).await;
    let id = link["id"].as_str().unwrap();
    assert!(listed(&h, &b, id).await.is_none());
    let patch = h
        .call(
            "PATCH",
            &format!("/v1/links/{id}"),
            Some(json!({"label": "Hijacked", "active": false})),
            Some(&b.token),
        )
        .await;
    assert_eq!(patch.status, 404, "{}", patch.text);
    let mine = listed(&h, &a, id).await.unwrap();
    assert_eq!(mine["label"], "Front desk");
    assert_eq!(mine["active"], true);
    // B cannot route A's link to B's staff either.
    let b_staff = h
        .call(
            "PATCH",
            &format!("/v1/links/{id}"),
            Some(json!({"member_ids": [b.account_id]})),
            Some(&b.token),
        )
        .await;
    assert_eq!(b_staff.status, 404);
}

#[tokio::test]
async fn patch_changes_label_tags_members_and_active() {
    let h = Harness::new().await;
    let owner = h.new_practice("Elm Street Clinic").await;
    let nurse = h.new_teammate(&owner, "member").await;
    let other = h.new_practice("Other Clinic").await;
    let link = front_desk(&h, &owner).await;
    let id = link["id"].as_str().unwrap();
    let code = link["code"].as_str().unwrap();

    let changed = h
        .call(
            "PATCH",
            &format!("/v1/links/{id}"),
            Some(json!({"label": "Nurse line", "tags": ["nurse", " Nurse ", "triage"], "member_ids": [nurse.account_id]})),
            Some(&owner.token),
        )
        .await;
    assert_eq!(changed.status, 200, "{}", changed.text);
    let body = changed.json();
    assert_eq!(body["label"], "Nurse line");
    assert_eq!(body["tags"], json!(["nurse", "triage"]));
    assert_eq!(body["member_ids"], json!([nurse.account_id]));
    assert_eq!(body["code"], code);
    let stored = get_by_code(&h.app, code).await.unwrap().unwrap();
    assert_eq!(stored.label, "Nurse line");
    assert_eq!(stored.member_ids.len(), 1);
    assert_eq!(stored.member_ids[0].to_string(), nurse.account_id);

    // Someone who is not on this practice's team cannot be a link member.
    let outsider = h
        .call(
            "PATCH",
            &format!("/v1/links/{id}"),
            Some(json!({"member_ids": [other.account_id]})),
            Some(&owner.token),
        )
        .await;
    assert_eq!(outsider.status, 400);
    assert!(outsider.text.contains("member_ids"), "{}", outsider.text);
    let rejected_create = h
        .call(
            "POST",
            "/v1/links",
            Some(json!({"label": "x", "member_ids": [other.account_id]})),
            Some(&owner.token),
        )
        .await;
    assert_eq!(rejected_create.status, 400);

    // Disabling hides the link from the public lookup; enabling brings it back.
    let off = h
        .call(
            "PATCH",
            &format!("/v1/links/{id}"),
            Some(json!({"active": false})),
            Some(&owner.token),
        )
        .await;
    assert_eq!(off.json()["active"], false);
    assert_eq!(
        h.call("GET", &format!("/v1/public/links/{code}"), None, None)
            .await
            .status,
        404
    );
    h.call(
        "PATCH",
        &format!("/v1/links/{id}"),
        Some(json!({"active": true})),
        Some(&owner.token),
    )
    .await;
    assert_eq!(
        h.call("GET", &format!("/v1/public/links/{code}"), None, None)
            .await
            .status,
        200
    );

    let unknown = h
        .call(
            "PATCH",
            "/v1/links/link_01ARZ3NDEKTSV4RRFFQ69G5FAV",
            Some(json!({"active": false})),
            Some(&owner.token),
        )
        .await;
    assert_eq!(unknown.status, 404);
}

#[tokio::test]
async fn the_public_lookup_shows_only_the_practice_name_and_label() {
    let h = Harness::new().await;
    let owner = h.new_practice("Elm Street Clinic").await;
    let link = front_desk(&h, &owner).await;
    let code = link["code"].as_str().unwrap();
    h.app.db_calls.reset();
    let public = h
        .call("GET", &format!("/v1/public/links/{code}"), None, None)
        .await;
    assert_eq!(public.status, 200);
    assert_eq!(
        public.json(),
        json!({"practice_name": "Elm Street Clinic", "label": "Front desk"})
    );
    assert_eq!(h.app.db_calls.count(), 1);
    let unknown = h
        .call("GET", "/v1/public/links/zz-nothing-here", None, None)
        .await;
    assert_eq!(unknown.status, 404);
    assert_eq!(unknown.error_code(), "not_found");
}

#[tokio::test]
async fn creating_a_link_costs_two_round_trips_and_listing_one() {
    let h = Harness::new().await;
    let owner = h.new_practice("Elm Street Clinic").await;
    front_desk(&h, &owner).await;
    // The authorizer's own reads are the same for every call of this caller: measure them
    // with the list (authorizer + one Query), then subtract.
    h.app.db_calls.reset();
    h.call("GET", "/v1/links", None, Some(&owner.token)).await;
    let authorizer = h.app.db_calls.count() - 1;
    h.app.db_calls.reset();
    front_desk(&h, &owner).await;
    // The org read, then ONE transaction (link + audit).
    assert_eq!(h.app.db_calls.count() - authorizer, 2);
}
