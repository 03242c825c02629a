use canopy_tests::fixtures::conversations::STAFF_AUTHENTICATION;
use canopy_tests::fixtures::{random_email, random_phone};
use canopy_tests::Harness;
use serde_json::json;

#[tokio::test]
async fn contacts_are_found_by_name_phone_and_email_prefix_in_one_query() {
    let (h, staff) = Harness::with_practice("Elm Street Clinic").await;
    let phone = random_phone();
    let email = random_email("Zoe.Quill");
    h.app.db_calls.reset();
    let zoe = h
        .new_contact(&staff, "Zoe Quill", Some(&phone), Some(&email))
        .await;
    assert_eq!(
        h.app.db_calls.count(),
        STAFF_AUTHENTICATION.len() + 1,
        "authentication, then one TransactWriteItems"
    );
    let other = h
        .new_contact(&staff, "Adam Brook", None, Some(&random_email("adam")))
        .await;
    assert_eq!(zoe["status"], "not_invited");
    assert_eq!(zoe["phone"], phone.as_str());
    let id = zoe["id"].as_str().unwrap().to_string();

    let national = &phone[2..8]; // "202555…" without +1
    for q in [
        "zoe q",
        "ZOE",
        national,
        &phone[..8],
        &email[..email.find('@').unwrap() + 3].to_uppercase(),
        &email,
    ] {
        h.app.db_calls.reset();
        let query = format!("?q={}", q.replace('+', "%2B").replace(' ', "%20"));
        let found = h.api(&staff).contacts(&query).await;
        assert_eq!(found.status, 200, "{q}: {}", found.text);
        assert_eq!(found.ids(), vec![id.clone()], "{q}");
        // Authentication, then one Query (plus the audit PutItem, issued concurrently).
        assert_eq!(
            h.app.db_calls.count(),
            STAFF_AUTHENTICATION.len() + 2,
            "{q}"
        );
    }
    // No q: the whole book, alphabetically, paged with a cursor.
    let first = h.api(&staff).contacts("?limit=1").await;
    assert_eq!(first.ids(), vec![other["id"].as_str().unwrap().to_string()]);
    let cursor = first.json()["next_cursor"].as_str().unwrap().to_string();
    let second = h
        .api(&staff)
        .contacts(&format!("?limit=1&cursor={cursor}"))
        .await;
    assert_eq!(second.ids(), vec![id.clone()]);
    // A cursor is bound to its index: reusing it for an email search is refused.
    let misuse = h
        .api(&staff)
        .contacts(&format!("?q=a@&cursor={cursor}"))
        .await;
    assert_eq!(misuse.status, 400);

    h.app.db_calls.reset();
    let got = h.api(&staff).contact(&id).await;
    assert_eq!(got.status, 200);
    assert_eq!(got.json()["conversation_ids"], json!([]));
    assert_eq!(
        h.app.db_calls.count(),
        STAFF_AUTHENTICATION.len() + 3,
        "authentication, then GetItem ‖ Query (its conversations) ‖ audit PutItem"
    );
}

#[tokio::test]
async fn a_contact_needs_a_name_and_a_phone_or_email() {
    let (h, staff) = Harness::with_practice("Elm").await;
    for (body, field) in [
        (json!({"name": "Ann"}), "phone"),
        (json!({"name": "", "phone": "2025550123"}), "name"),
        (json!({"name": "Ann", "phone": "12"}), "phone"),
        (json!({"name": "Ann", "email": "nope"}), "email"),
    ] {
        let reply = h.api(&staff).create_contact(body).await;
        assert_eq!(reply.status, 400, "{}", reply.text);
        assert!(reply.error_message().starts_with(field));
    }
}

#[tokio::test]
async fn other_practices_staff_and_patients_cannot_read_contacts() {
    let (h, a) = Harness::with_practice("A").await;
    let b = h.new_practice("B").await;
    let phone = random_phone();
    let contact = h
        .new_contact(&a, "Private Person", Some(&phone), None)
        .await;
    let id = contact["id"].as_str().unwrap();
    let by_b = h.api(&b).contact(id).await;
    assert_eq!(by_b.status, 404);
    let search_b = h.api(&b).contacts("?q=private").await;
    assert_eq!(search_b.status, 200);
    assert!(search_b.ids().is_empty());
    let search_b_phone = h.api(&b).contacts(&format!("?q={}", &phone[2..])).await;
    assert!(search_b_phone.ids().is_empty());
    // A patient (of practice A, even) sees no address book.
    let link = h.new_link(&a, &[]).await;
    let patient = h
        .link_signup(&link.code, "Pat", &random_phone(), None)
        .await;
    for path in [format!("/v1/contacts/{id}"), "/v1/contacts".to_string()] {
        let reply = h.call("GET", &path, None, Some(&patient.token)).await;
        assert_eq!(reply.status, 403, "{path}");
    }
    let created = h
        .api(&patient)
        .create_contact(json!({"name": "X", "phone": random_phone()}))
        .await;
    assert_eq!(created.status, 403);
    assert_eq!(h.public().contacts("").await.status, 401);
}
