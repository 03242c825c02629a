use canopy_shared::conversations::{ContactMatch, ConversationState, Identity, ParticipantKind};
use canopy_shared::ports::ManualClock;
use canopy_tests::fixtures::{patient_from, random_email, random_phone};
use canopy_tests::{moto, Harness};
use serde_json::json;
use std::sync::Arc;

#[tokio::test]
async fn a_link_signup_puts_a_tagged_unverified_conversation_in_the_practice_inbox() {
    let (h, staff) = Harness::with_practice("Elm Street Clinic").await;
    let link = h.new_link(&staff, &["referral-web", "new-patient"]).await;
    let phone = random_phone();
    let started = h
        .public()
        .signup_start(json!({"name": "Pat Doe", "phone": phone, "link_code": link.code}))
        .await;
    assert_eq!(started.status, 202, "{}", started.text);
    assert_eq!(started.json()["channels"], json!(["sms"]));
    let code = moto::latest_sms_code(&phone).unwrap();
    h.app.db_calls.reset();
    let verified = h
        .public()
        .signup_verify(json!({"challenge_id": started.json()["challenge_id"], "sms_code": code}))
        .await;
    assert_eq!(verified.status, 200, "{}", verified.text);
    // UpdateItem (check), then concurrently GetItem (login) + Query (contacts by phone),
    // then TransactWriteItems: 4 calls, 3 round trips.
    assert_eq!(h.app.db_calls.count(), 4);
    let patient = patient_from(&verified.json(), &phone);
    assert_eq!(verified.json()["account"]["phone"], phone.as_str());
    assert_eq!(verified.json()["account"]["name"], "Pat Doe");
    assert_eq!(patient.org_id, staff.org_id);

    let conversation = h.stored_conversation(&patient.conversation_id).await;
    assert_eq!(conversation.tags, vec!["referral-web", "new-patient"]);
    assert_eq!(conversation.link_id, Some(link.id));
    assert_eq!(conversation.state, ConversationState::Active);
    assert_eq!(conversation.identity, Some(Identity::Unverified));
    assert_eq!(conversation.contact_match, Some(ContactMatch::None));
    assert_eq!(conversation.gsi1pk, format!("ORG#{}#INBOX", staff.org_id));
    assert_eq!(conversation.gsi2pk, Some(format!("LINK#{}#INBOX", link.id)));
    assert_eq!(conversation.participants.len(), 1);
    assert_eq!(
        conversation.participants[0].id.to_string(),
        patient.account_id
    );
    assert_eq!(conversation.participants[0].kind, ParticipantKind::Patient);
    // The link counted the signup; the patient is now a contact with an account.
    let stored_link = h.stored_link(&link.code).await;
    assert_eq!(stored_link.signups, 1);
    let contact_id = conversation.contact_ids[0].to_string();
    let contact = h.api(&staff).contact(&contact_id).await.json();
    assert_eq!(contact["status"], "has_account");
    assert_eq!(contact["name"], "Pat Doe");
    assert_eq!(
        contact["conversation_ids"],
        json!([patient.conversation_id])
    );
    // The session works as a patient's.
    let as_patient = h.api(&patient).contacts("").await;
    assert_eq!(as_patient.status, 403);
}

#[tokio::test]
async fn contact_match_is_matched_mismatch_or_none() {
    let (h, staff) = Harness::with_practice("Elm").await;
    let link = h.new_link(&staff, &[]).await;
    let (p1, e1) = (random_phone(), random_email("m1"));
    let on_file = h
        .new_contact(&staff, "Matched Person", Some(&p1), Some(&e1))
        .await;
    let matched = h
        .link_signup(
            &link.code,
            "Whatever Name",
            &p1,
            Some(&e1.to_uppercase().replace("EXAMPLE.COM", "example.com")),
        )
        .await;
    let conversation = h.stored_conversation(&matched.conversation_id).await;
    assert_eq!(conversation.contact_match, Some(ContactMatch::Matched));
    // Reported, not bound: only the phone was proven (issue 12.6; patients::identity).
    assert_ne!(
        conversation.contact_ids[0].to_string(),
        on_file["id"].as_str().unwrap()
    );
    let stored = h
        .stored_contact(&staff.org_id, on_file["id"].as_str().unwrap())
        .await;
    assert!(stored.account_id.is_none());

    let (p2, e2) = (random_phone(), random_email("m2"));
    let differs = h
        .new_contact(&staff, "Mismatch Person", Some(&p2), Some(&e2))
        .await;
    let mismatch = h
        .link_signup(&link.code, "Someone", &p2, Some(&random_email("other")))
        .await;
    let conversation = h.stored_conversation(&mismatch.conversation_id).await;
    assert_eq!(conversation.contact_match, Some(ContactMatch::Mismatch));
    // An unverified signup is never merged into a record that differs.
    assert_ne!(
        conversation.contact_ids[0].to_string(),
        differs["id"].as_str().unwrap()
    );
    let untouched = h
        .stored_contact(&staff.org_id, differs["id"].as_str().unwrap())
        .await;
    assert!(untouched.account_id.is_none());

    let none = h
        .link_signup(
            &link.code,
            "New Person",
            &random_phone(),
            Some(&random_email("n")),
        )
        .await;
    assert_eq!(
        h.stored_conversation(&none.conversation_id)
            .await
            .contact_match,
        Some(ContactMatch::None)
    );
}

#[tokio::test]
async fn an_invite_signup_needs_both_codes_and_activates_the_invites_conversation() {
    let (h, staff) = Harness::with_practice("Elm").await;
    let (phone, email) = (random_phone(), random_email("ann"));
    let (invite, token) = h.invite_contact(&staff, &phone, Some(&email)).await;
    let started = h
        .public()
        .signup_start(json!({"name": "Ann Lee", "phone": phone, "invite_token": token}))
        .await;
    assert_eq!(started.status, 202, "{}", started.text);
    assert_eq!(started.json()["channels"], json!(["sms", "email"]));
    let challenge = started.json()["challenge_id"].clone();
    let sms = moto::latest_sms_code(&phone).unwrap();
    let mail = moto::latest_email_code(&email).unwrap();
    // Without the email code: refused, naming the field, and no attempt spent.
    let without = h
        .public()
        .signup_verify(json!({"challenge_id": challenge, "sms_code": sms}))
        .await;
    assert_eq!(without.status, 400);
    assert!(without.error_message().starts_with("email_code"));
    let wrong = h.public().signup_verify(json!({"challenge_id": challenge, "sms_code": sms, "email_code": if mail == "000000" { "111111" } else { "000000" }}))
        .await;
    assert_eq!(wrong.status, 400);
    assert_eq!(wrong.error_code(), "wrong_code");
    h.app.db_calls.reset();
    let verified = h
        .public()
        .signup_verify(json!({"challenge_id": challenge, "sms_code": sms, "email_code": mail}))
        .await;
    assert_eq!(verified.status, 200, "{}", verified.text);
    // UpdateItem (check), then concurrently 3 GetItems (login, token, conversation),
    // then TransactWriteItems: 5 calls, 3 round trips.
    assert_eq!(h.app.db_calls.count(), 5);
    let patient = patient_from(&verified.json(), &phone);
    assert_eq!(
        patient.conversation_id,
        invite["conversation_id"].as_str().unwrap()
    );
    let conversation = h.stored_conversation(&patient.conversation_id).await;
    assert_eq!(conversation.state, ConversationState::Active);
    assert_eq!(conversation.identity, Some(Identity::Verified));
    assert_eq!(
        conversation.participants[0].id.to_string(),
        patient.account_id
    );
    let contact_id = conversation.contact_ids[0].to_string();
    let contact = h.api(&staff).contact(&contact_id).await.json();
    assert_eq!(contact["status"], "has_account");
    // The token is used up.
    let again = h
        .public()
        .signup_start(json!({"name": "Ann Lee", "phone": phone, "invite_token": token}))
        .await;
    assert_eq!(again.status, 410);
    assert_eq!(again.error_code(), "invite_gone");
    // And the same challenge again is refused, not a second pairing.
    let replay = h
        .public()
        .signup_verify(json!({"challenge_id": challenge, "sms_code": sms, "email_code": mail}))
        .await;
    assert_eq!(replay.status, 409);
    assert_eq!(replay.error_code(), "code_used");
}

#[tokio::test]
async fn an_invite_refuses_another_phone() {
    let (h, staff) = Harness::with_practice("Elm").await;
    let (_, token) = h
        .invite_contact(&staff, &random_phone(), Some(&random_email("ann")))
        .await;
    let reply = h
        .public()
        .signup_start(json!({"name": "Mallory", "phone": random_phone(), "invite_token": token}))
        .await;
    assert_eq!(reply.status, 409);
    assert_eq!(reply.error_code(), "phone_mismatch");
}

#[tokio::test]
async fn an_expired_invite_token_is_gone() {
    let clock = Arc::new(ManualClock::new({
        use canopy_shared::ports::Clock;
        canopy_shared::ports::SystemClock.now_ms()
    }));
    let h = Harness::with_clock(clock.clone()).await;
    let staff = h.new_practice("Elm").await;
    let phone = random_phone();
    let (_, token) = h
        .invite_contact(&staff, &phone, Some(&random_email("ann")))
        .await;
    clock.advance_ms(canopy_shared::invites::INVITE_LIFETIME_MS + 1);
    let reply = h
        .public()
        .signup_start(json!({"name": "Ann", "phone": phone, "invite_token": token}))
        .await;
    assert_eq!(reply.status, 410);
    assert_eq!(reply.error_code(), "invite_gone");
}

#[tokio::test]
async fn a_retried_link_signup_never_makes_a_second_conversation() {
    let (h, staff) = Harness::with_practice("Elm").await;
    let link = h.new_link(&staff, &[]).await;
    let phone = random_phone();
    let challenge = h
        .signup_start(json!({"name": "Pat", "phone": phone, "link_code": link.code}))
        .await;
    let code = moto::latest_sms_code(&phone).unwrap();
    let body = json!({"challenge_id": challenge, "sms_code": code});
    let first = h.public().signup_verify(body.clone()).await;
    assert_eq!(first.status, 200);
    let first = patient_from(&first.json(), &phone);
    // Same challenge: single use.
    let replay = h.public().signup_verify(body).await;
    assert_eq!(replay.status, 409);
    assert_eq!(replay.error_code(), "code_used");
    // Starting over through the same link: the same account and conversation.
    let again = h.link_signup(&link.code, "Pat", &phone, None).await;
    assert_eq!(again.account_id, first.account_id);
    assert_eq!(again.conversation_id, first.conversation_id);
    let conversation = h.stored_conversation(&first.conversation_id).await;
    let contact = h
        .api(&staff)
        .contact(&conversation.contact_ids[0].to_string())
        .await;
    assert_eq!(
        contact.json()["conversation_ids"].as_array().map(Vec::len),
        Some(1)
    );
    assert_eq!(h.stored_link(&link.code).await.signups, 1);
}

#[tokio::test]
async fn an_existing_patient_joins_a_second_practice_with_the_same_account() {
    let (h, a) = Harness::with_practice("A").await;
    let b = h.new_practice("B").await;
    let (link_a, link_b) = (h.new_link(&a, &[]).await, h.new_link(&b, &["b-tag"]).await);
    let phone = random_phone();
    let first = h.link_signup(&link_a.code, "Pat", &phone, None).await;
    let second = h
        .link_signup(&link_b.code, "Pat Renamed", &phone, None)
        .await;
    assert_eq!(second.account_id, first.account_id);
    assert_eq!(second.org_id, b.org_id);
    assert_ne!(second.conversation_id, first.conversation_id);
    let conversation = h.stored_conversation(&second.conversation_id).await;
    assert_eq!(conversation.tags, vec!["b-tag"]);
    assert_eq!(conversation.participants[0].name, "Pat");
    // Each practice sees only its own contact.
    let a_contacts = h.api(&a).contacts("").await.json();
    let b_contacts = h.api(&b).contacts("").await.json();
    assert_eq!(a_contacts["items"].as_array().unwrap().len(), 1);
    assert_eq!(b_contacts["items"].as_array().unwrap().len(), 1);
    assert_ne!(a_contacts["items"][0]["id"], b_contacts["items"][0]["id"]);
}

#[tokio::test]
async fn other_patients_and_practices_cannot_see_the_conversations() {
    let (h, a) = Harness::with_practice("A").await;
    let b = h.new_practice("B").await;
    let link = h.new_link(&a, &[]).await;
    let one = h
        .link_signup(&link.code, "One", &random_phone(), None)
        .await;
    let two = h
        .link_signup(&link.code, "Two", &random_phone(), None)
        .await;
    let conversation = h.stored_conversation(&one.conversation_id).await;
    let caller = |account: &str, role, org: Option<&str>| canopy_shared::http::Caller {
        account_id: account.parse().unwrap(),
        role,
        org_id: org.map(|o| o.parse().unwrap()),
        visible_links: vec![],
    };
    // The conversation's visibility rule, on the stored meta item.
    let visible_to =
        |c: &canopy_shared::adapters::dynamo::conversations::ConversationItem,
         who: &canopy_shared::http::Caller| { c.clone().into_model().visible_to(who) };
    use canopy_shared::domain::role::Role;
    assert!(visible_to(
        &conversation,
        &caller(&one.account_id, Role::Patient, None)
    ));
    assert!(!visible_to(
        &conversation,
        &caller(&two.account_id, Role::Patient, None)
    ));
    assert!(!visible_to(
        &conversation,
        &caller(&b.account_id, Role::Owner, Some(&b.org_id))
    ));
    // And through this area's routes: a secure-invite on it is 404 for B, 403 for patients.
    assert_eq!(
        h.api(&b).secure_invite(&one.conversation_id).await.status,
        404
    );
    assert_eq!(
        h.api(&two).secure_invite(&one.conversation_id).await.status,
        403
    );
    let unknown_link = h
        .public()
        .signup_start(json!({"name": "X", "phone": random_phone(), "link_code": "no-such-code"}))
        .await;
    assert_eq!(unknown_link.status, 404);
}

#[tokio::test]
async fn a_phone_only_match_never_hands_the_contact_on_file_to_a_link_signup() {
    // A recycled number: the practice has a phone-only contact for a former patient, and
    // the number's new owner signs up through a link without an email.
    let (h, staff) = Harness::with_practice("Elm").await;
    let link = h.new_link(&staff, &[]).await;
    let phone = random_phone();
    let former = h
        .new_contact(&staff, "Former Patient", Some(&phone), None)
        .await;
    let stranger = h.link_signup(&link.code, "New Owner", &phone, None).await;
    let conversation = h.stored_conversation(&stranger.conversation_id).await;
    assert_ne!(
        conversation.contact_ids[0].to_string(),
        former["id"].as_str().unwrap()
    );
    let untouched = h
        .stored_contact(&staff.org_id, former["id"].as_str().unwrap())
        .await;
    assert!(
        untouched.account_id.is_none(),
        "the former patient's record stays theirs"
    );
    let added = h
        .stored_contact(&staff.org_id, &conversation.contact_ids[0].to_string())
        .await;
    assert_eq!(
        added.account_id.map(|a| a.to_string()),
        Some(stranger.account_id.clone())
    );
}
