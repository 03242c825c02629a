use canopy_shared::conversations::{ConversationKind, ConversationState};
use canopy_tests::fixtures::conversations::STAFF_AUTHENTICATION;
use canopy_tests::fixtures::{latest_invite_token_sms, random_email, random_phone, token_in};
use canopy_tests::{moto, Harness};
use failing::FailingSms;
use serde_json::json;

/// An SMS gateway that is down: the invite must survive it.
mod failing {
    use canopy_shared::domain::contact_info::PhoneNumber;
    use canopy_shared::ports::{SendError, Sms};

    pub struct FailingSms;

    impl Sms for FailingSms {
        fn send_sms<'life0, 'life1, 'life2, 'async_trait>(
            &'life0 self,
            _to: &'life1 PhoneNumber,
            _text: &'life2 str,
        ) -> std::pin::Pin<
            Box<dyn std::future::Future<Output = Result<(), SendError>> + Send + 'async_trait>,
        >
        where
            'life0: 'async_trait,
            'life1: 'async_trait,
            'life2: 'async_trait,
            Self: 'async_trait,
        {
            Box::pin(async { Err(SendError::Unavailable) })
        }
    }
}

#[tokio::test]
async fn an_invite_creates_a_pending_conversation_and_texts_only_the_practice_name_and_url() {
    let (h, staff) = Harness::with_practice("Elm Street Clinic").await;
    let phone = random_phone();
    let email = random_email("zed");
    let contact = h
        .new_contact(&staff, "Zed Private", Some(&phone), Some(&email))
        .await;
    let contact_id = contact["id"].as_str().unwrap();
    h.app.db_calls.reset();
    let reply = h
        .api(&staff)
        .invite(json!({"contact_id": contact_id, "subject": "Biopsy results"}))
        .await;
    assert_eq!(reply.status, 201, "{}", reply.text);
    // Authentication, BatchGetItem (contact + practice), the invite budgets
    // (BatchGetItem + TransactWriteItems), TransactWriteItems, UpdateItem (send results).
    // The budgets' deployment-wide window is shared by every test in the suite (8 shards):
    // when another test's invite writes the same shard between this one's read and write,
    // the spend re-reads and retries (+2 calls, `access::rate_limit`). So the count is
    // taken from an invite that raced nobody, among up to three; a lost race is the only
    // excess allowed.
    let expected = STAFF_AUTHENTICATION.len() + 5;
    let mut counts = vec![h.app.db_calls.count()];
    while counts.last() != Some(&expected) && counts.len() < 3 {
        let another = h
            .new_contact(
                &staff,
                "Yan Other",
                Some(&random_phone()),
                Some(&random_email("yan")),
            )
            .await;
        h.app.db_calls.reset();
        let again = h
            .api(&staff)
            .invite(json!({"contact_id": another["id"], "subject": "Results"}))
            .await;
        assert_eq!(again.status, 201, "{}", again.text);
        counts.push(h.app.db_calls.count());
    }
    assert_eq!(
        counts.last(),
        Some(&expected),
        "calls of each try: {counts:?}"
    );
    assert!(
        counts
            .iter()
            .all(|&c| c >= expected && (c - expected).is_multiple_of(2)),
        "only lost races may add calls: {counts:?}"
    );
    let body = reply.json();
    assert!(body["id"].as_str().unwrap().starts_with("inv_"));
    assert_eq!(body["sent_to"], json!({"sms": true, "email": true}));
    let conversation = h
        .stored_conversation(body["conversation_id"].as_str().unwrap())
        .await;
    assert_eq!(conversation.state, ConversationState::PendingAccount);
    assert_eq!(conversation.kind, ConversationKind::Secure);
    assert_eq!(conversation.subject.as_deref(), Some("Biopsy results"));
    assert_eq!(conversation.contact_ids[0].to_string(), contact_id);
    let shown = h.api(&staff).contact(contact_id).await.json();
    assert_eq!(shown["status"], "invited");
    assert_eq!(shown["conversation_ids"], json!([body["conversation_id"]]));

    // The texts: practice name + /i/{token}, never the subject, the name or other PHI.
    let base = &h.app.settings.link_base_url;
    let sms = moto::sms_to(&phone);
    assert_eq!(sms.len(), 1);
    let token = token_in(&sms[0]).unwrap();
    assert_eq!(
        sms[0],
        format!(
            "Elm Street Clinic invites you to message them securely on Canopy: {base}/i/{token}"
        )
    );
    let emails = moto::emails_to(&email);
    assert_eq!(emails.len(), 1);
    assert_eq!(emails[0].0, "Elm Street Clinic invited you to Canopy");
    assert_eq!(token_in(&emails[0].1).as_deref(), Some(token.as_str()));
    for text in [&sms[0], &emails[0].0, &emails[0].1] {
        for secret in ["Biopsy", "Zed", "Private", &phone[2..], "zed."] {
            assert!(!text.contains(secret), "{secret} leaked into {text}");
        }
    }
    // Only the token's hash is stored.
    let stored = h
        .stored_invite(&staff.org_id, body["id"].as_str().unwrap())
        .await;
    assert_eq!(
        stored.token_hash,
        canopy_shared::domain::secrets::token_hash(&token)
    );
    assert!(!format!("{stored:?}").contains(&token));
}

#[tokio::test]
async fn an_invite_is_routed_to_a_visible_link_only() {
    let (h, staff) = Harness::with_practice("Elm").await;
    let other = h.new_practice("Other").await;
    let contact = h
        .new_contact(&staff, "Ann", Some(&random_phone()), None)
        .await;
    let link = h.new_link(&staff, &["x"]).await;
    // The staff token's visible links are computed per call when the caller is authenticated.
    let reply = h
        .api(&staff)
        .invite(json!({"contact_id": contact["id"], "link_id": link.id}))
        .await;
    assert_eq!(reply.status, 201, "{}", reply.text);
    let conversation = h
        .stored_conversation(reply.json()["conversation_id"].as_str().unwrap())
        .await;
    assert_eq!(conversation.link_id, Some(link.id));
    assert!(conversation.gsi2pk.is_some());
    let foreign = h.new_link(&other, &[]).await;
    let contact2 = h
        .new_contact(&staff, "Bo", Some(&random_phone()), None)
        .await;
    let refused = h
        .api(&staff)
        .invite(json!({"contact_id": contact2["id"], "link_id": foreign.id}))
        .await;
    assert_eq!(refused.status, 404);
}

#[tokio::test]
async fn a_failed_send_is_recorded_and_the_invite_can_be_resent() {
    let mut app = canopy_shared::App::from_parts(
        &canopy_shared::app::load_sdk_config().await,
        canopy_tests::settings().await,
    );
    app.sms = std::sync::Arc::new(FailingSms);
    let down = Harness::with_app(app);
    let staff = down.new_practice("Elm").await;
    let phone = random_phone();
    let contact = down
        .new_contact(&staff, "Ann", Some(&phone), Some(&random_email("ann")))
        .await;
    let reply = down
        .api(&staff)
        .invite(json!({"contact_id": contact["id"]}))
        .await;
    assert_eq!(reply.status, 201, "{}", reply.text);
    let body = reply.json();
    assert_eq!(body["sent_to"], json!({"sms": false, "email": true}));
    assert_eq!(body["send_results"]["sms"], "failed");
    let stored = down
        .stored_invite(&staff.org_id, body["id"].as_str().unwrap())
        .await;
    assert_eq!(
        stored.sends.sms.unwrap().outcome,
        canopy_shared::invites::SendOutcome::Failed
    );
    // The gateway is back: resend delivers.
    let up = Harness::new().await;
    let resent = up
        .api(&staff)
        .resend_invite(body["id"].as_str().unwrap())
        .await;
    assert_eq!(resent.status, 200, "{}", resent.text);
    assert_eq!(resent.json()["sent_to"]["sms"], true);
    assert!(latest_invite_token_sms(&phone).is_some());
}

#[tokio::test]
async fn resend_kills_the_old_token_and_is_rate_limited() {
    let (h, staff) = Harness::with_practice("Elm").await;
    let phone = random_phone();
    let contact = h.new_contact(&staff, "Ann", Some(&phone), None).await;
    let body = h
        .api(&staff)
        .invite(json!({"contact_id": contact["id"]}))
        .await
        .json();
    let old = latest_invite_token_sms(&phone).unwrap();
    let invite_id = body["id"].as_str().unwrap();
    h.app.db_calls.reset();
    let resent = h.api(&staff).resend_invite(invite_id).await;
    assert_eq!(resent.status, 200, "{}", resent.text);
    // Authentication, GetItem (invite), the invite budgets (BatchGetItem +
    // TransactWriteItems), TransactWriteItems, UpdateItem (send results).
    assert_eq!(h.app.db_calls.count(), STAFF_AUTHENTICATION.len() + 5);
    let new = latest_invite_token_sms(&phone).unwrap();
    assert_ne!(old, new);
    let with_old = h
        .public()
        .signup_start(json!({"name": "Ann", "phone": phone, "invite_token": old}))
        .await;
    assert_eq!(with_old.status, 410);
    assert_eq!(with_old.error_code(), "invite_gone");
    h.signup_start(json!({"name": "Ann", "phone": phone, "invite_token": new}))
        .await;
    // Three resends an hour; the fourth waits.
    for _ in 0..2 {
        assert_eq!(h.api(&staff).resend_invite(invite_id).await.status, 200);
    }
    let limited = h.api(&staff).resend_invite(invite_id).await;
    assert_eq!(limited.status, 429);
    assert!(limited.header("retry-after").is_some());
}

#[tokio::test]
async fn other_practices_staff_and_patients_cannot_touch_invites() {
    let (h, a) = Harness::with_practice("A").await;
    let b = h.new_practice("B").await;
    let contact = h.new_contact(&a, "Ann", Some(&random_phone()), None).await;
    let by_b = h.api(&b).invite(json!({"contact_id": contact["id"]})).await;
    assert_eq!(by_b.status, 404);
    let mine = h
        .api(&a)
        .invite(json!({"contact_id": contact["id"]}))
        .await
        .json();
    let invite_id = mine["id"].as_str().unwrap();
    assert_eq!(h.api(&b).resend_invite(invite_id).await.status, 404);
    let link = h.new_link(&a, &[]).await;
    let patient = h
        .link_signup(&link.code, "Pat", &random_phone(), None)
        .await;
    assert_eq!(h.api(&patient).resend_invite(invite_id).await.status, 403);
    // A malformed id in a body is 400 naming it (a well-formed unknown one is 404).
    assert_eq!(
        h.api(&b).invite(json!({"contact_id": "junk"})).await.status,
        400
    );
    let as_patient = h
        .api(&patient)
        .invite(json!({"contact_id": contact["id"]}))
        .await;
    assert_eq!(as_patient.status, 403);
    // Nor can they turn A's conversations into invites.
    let conv = mine["conversation_id"].as_str().unwrap();
    assert_eq!(h.api(&b).secure_invite(conv).await.status, 404);
    assert_eq!(h.api(&patient).secure_invite(conv).await.status, 403);
}

#[tokio::test]
async fn a_standard_conversation_becomes_a_secure_invite() {
    let (h, staff) = Harness::with_practice("Elm").await;
    let phone = random_phone();
    let contact = h.new_contact(&staff, "Ann", Some(&phone), None).await;
    let standard = h
        .api(&staff)
        .create_conversation(
            json!({"kind": "standard", "contact_id": contact["id"], "channel": "sms"}),
        )
        .await;
    assert_eq!(standard.status, 201, "{}", standard.text);
    let standard = standard.string("id");

    let reply = h.api(&staff).secure_invite(&standard).await;
    assert_eq!(reply.status, 201, "{}", reply.text);
    let secure = h
        .stored_conversation(reply.json()["conversation_id"].as_str().unwrap())
        .await;
    assert_eq!(secure.kind, ConversationKind::Secure);
    assert_eq!(secure.state, ConversationState::PendingAccount);
    assert!(latest_invite_token_sms(&phone).is_some());
    let shown = h.api(&staff).contact(contact["id"].as_str().unwrap()).await;
    assert_eq!(shown.json()["conversation_ids"], json!([secure.id]));
    // A secure conversation is not a standard one.
    let again = h.api(&staff).secure_invite(&secure.id.to_string()).await;
    assert_eq!(again.status, 409);
    assert_eq!(again.error_code(), "not_standard");
}

#[tokio::test]
async fn a_retried_invite_with_the_same_idempotency_key_sends_once_and_answers_the_same() {
    let (h, staff) = Harness::with_practice("Elm").await;
    let phone = random_phone();
    let contact = h
        .new_contact(&staff, "Retry Patient", Some(&phone), None)
        .await;
    let send = |body: serde_json::Value, key| h.api(&staff).idempotency_key(key).invite(body);
    let body = json!({"contact_id": contact["id"], "subject": "Billing"});
    let first = send(body.clone(), "invite-attempt-1").await;
    assert_eq!(first.status, 201, "{}", first.text);
    let retry = send(body.clone(), "invite-attempt-1").await;
    assert_eq!(retry.status, 201);
    assert_eq!(
        retry.json(),
        first.json(),
        "the retry answers the first invite"
    );
    assert_eq!(moto::sms_to(&phone).len(), 1, "one invite SMS");
    let other = send(
        json!({"contact_id": contact["id"], "subject": "Other"}),
        "invite-attempt-1",
    )
    .await;
    assert_eq!(other.status, 422);
    assert_eq!(other.error_code(), "idempotency_key_reused");
    let contact_now = h
        .api(&staff)
        .contact(contact["id"].as_str().unwrap())
        .await
        .json();
    assert_eq!(
        contact_now["conversation_ids"].as_array().unwrap().len(),
        1,
        "one pending conversation"
    );
}
