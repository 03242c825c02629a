use super::{contact_item, meta};
use canopy_shared::conversations::{
    creation_writes, new_conversation, Channel, ConversationKind, ConversationState,
    NewConversation,
};
use canopy_shared::domain::ids::ConversationId;
use canopy_tests::fixtures::{random_email, random_phone, Staff};
use canopy_tests::fixtures_patients::{latest_invite_token_sms, token_in};
use canopy_tests::{moto, Harness};
use failing::FailingSms;
use serde_json::{json, Value};

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

async fn invite(h: &Harness, staff: &Staff, body: Value) -> canopy_tests::Reply {
    h.call("POST", "/v1/invites", Some(body), Some(&staff.token))
        .await
}

#[tokio::test]
async fn an_invite_creates_a_pending_conversation_and_texts_only_the_practice_name_and_url() {
    let h = Harness::new().await;
    let staff = h.new_practice("Elm Street Clinic").await;
    let phone = random_phone();
    let email = random_email("zed");
    let contact = h
        .new_contact(&staff, "Zed Private", Some(&phone), Some(&email))
        .await;
    let contact_id = contact["id"].as_str().unwrap();
    h.app.db_calls.reset();
    let reply = invite(
        &h,
        &staff,
        json!({"contact_id": contact_id, "subject": "Biopsy results"}),
    )
    .await;
    assert_eq!(reply.status, 201, "{}", reply.text);
    // BatchGetItem (contact + practice), TransactWriteItems, UpdateItem (send results).
    assert_eq!(h.app.db_calls.count(), 3);
    let body = reply.json();
    assert!(body["id"].as_str().unwrap().starts_with("inv_"));
    assert_eq!(body["sent_to"], json!({"sms": true, "email": true}));
    let conversation = meta(&h, body["conversation_id"].as_str().unwrap()).await;
    assert_eq!(conversation.state, ConversationState::PendingAccount);
    assert_eq!(conversation.kind, ConversationKind::Secure);
    assert_eq!(conversation.subject.as_deref(), Some("Biopsy results"));
    assert_eq!(conversation.contact_ids[0].to_string(), contact_id);
    let shown = h
        .call(
            "GET",
            &format!("/v1/contacts/{contact_id}"),
            None,
            Some(&staff.token),
        )
        .await
        .json();
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
    let stored = canopy_shared::invites::get(
        &h.app,
        &staff.org_id.parse().unwrap(),
        &body["id"].as_str().unwrap().parse().unwrap(),
    )
    .await
    .unwrap()
    .unwrap();
    assert_eq!(
        stored.token_hash,
        canopy_shared::domain::secrets::token_hash(&token)
    );
    assert!(!format!("{stored:?}").contains(&token));
}

#[tokio::test]
async fn an_invite_is_routed_to_a_visible_link_only() {
    let h = Harness::new().await;
    let staff = h.new_practice("Elm").await;
    let other = h.new_practice("Other").await;
    let contact = h
        .new_contact(&staff, "Ann", Some(&random_phone()), None)
        .await;
    let link = h.new_link(&staff, &["x"]).await;
    // The staff token's visible links are computed per call by the authorizer.
    let reply = invite(
        &h,
        &staff,
        json!({"contact_id": contact["id"], "link_id": link.id}),
    )
    .await;
    assert_eq!(reply.status, 201, "{}", reply.text);
    let conversation = meta(&h, reply.json()["conversation_id"].as_str().unwrap()).await;
    assert_eq!(conversation.link_id, Some(link.id));
    assert!(conversation.gsi2pk.is_some());
    let foreign = h.new_link(&other, &[]).await;
    let contact2 = h
        .new_contact(&staff, "Bo", Some(&random_phone()), None)
        .await;
    let refused = invite(
        &h,
        &staff,
        json!({"contact_id": contact2["id"], "link_id": foreign.id}),
    )
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
    let reply = invite(&down, &staff, json!({"contact_id": contact["id"]})).await;
    assert_eq!(reply.status, 201, "{}", reply.text);
    let body = reply.json();
    assert_eq!(body["sent_to"], json!({"sms": false, "email": true}));
    assert_eq!(body["send_results"]["sms"], "failed");
    let stored = canopy_shared::invites::get(
        &down.app,
        &staff.org_id.parse().unwrap(),
        &body["id"].as_str().unwrap().parse().unwrap(),
    )
    .await
    .unwrap()
    .unwrap();
    assert_eq!(
        stored.sends.sms.unwrap().outcome,
        canopy_shared::invites::SendOutcome::Failed
    );
    // The gateway is back: resend delivers.
    let up = Harness::new().await;
    let resent = up
        .call(
            "POST",
            &format!("/v1/invites/{}/resend", body["id"].as_str().unwrap()),
            None,
            Some(&staff.token),
        )
        .await;
    assert_eq!(resent.status, 200, "{}", resent.text);
    assert_eq!(resent.json()["sent_to"]["sms"], true);
    assert!(latest_invite_token_sms(&phone).is_some());
}

#[tokio::test]
async fn resend_kills_the_old_token_and_is_rate_limited() {
    let h = Harness::new().await;
    let staff = h.new_practice("Elm").await;
    let phone = random_phone();
    let contact = h.new_contact(&staff, "Ann", Some(&phone), None).await;
    let body = invite(&h, &staff, json!({"contact_id": contact["id"]}))
        .await
        .json();
    let old = latest_invite_token_sms(&phone).unwrap();
    let resend_path = format!("/v1/invites/{}/resend", body["id"].as_str().unwrap());
    h.app.db_calls.reset();
    let resent = h.call("POST", &resend_path, None, Some(&staff.token)).await;
    assert_eq!(resent.status, 200, "{}", resent.text);
    // GetItem (invite), TransactWriteItems, UpdateItem (send results).
    assert_eq!(h.app.db_calls.count(), 3);
    let new = latest_invite_token_sms(&phone).unwrap();
    assert_ne!(old, new);
    let with_old = h
        .call(
            "POST",
            "/v1/signup/start",
            Some(json!({"name": "Ann", "phone": phone, "invite_token": old})),
            None,
        )
        .await;
    assert_eq!(with_old.status, 410);
    assert_eq!(with_old.error_code(), "invite_gone");
    h.signup_start(json!({"name": "Ann", "phone": phone, "invite_token": new}))
        .await;
    // Three resends an hour; the fourth waits.
    for _ in 0..2 {
        assert_eq!(
            h.call("POST", &resend_path, None, Some(&staff.token))
                .await
                .status,
            200
        );
    }
    let limited = h.call("POST", &resend_path, None, Some(&staff.token)).await;
    assert_eq!(limited.status, 429);
    assert!(limited.header("retry-after").is_some());
}

#[tokio::test]
async fn other_practices_staff_and_patients_cannot_touch_invites() {
    let h = Harness::new().await;
    let a = h.new_practice("A").await;
    let b = h.new_practice("B").await;
    let contact = h.new_contact(&a, "Ann", Some(&random_phone()), None).await;
    let by_b = invite(&h, &b, json!({"contact_id": contact["id"]})).await;
    assert_eq!(by_b.status, 404);
    let mine = invite(&h, &a, json!({"contact_id": contact["id"]}))
        .await
        .json();
    let resend_path = format!("/v1/invites/{}/resend", mine["id"].as_str().unwrap());
    assert_eq!(
        h.call("POST", &resend_path, None, Some(&b.token))
            .await
            .status,
        404
    );
    let link = h.new_link(&a, &[]).await;
    let patient = h
        .link_signup(&link.code, "Pat", &random_phone(), None)
        .await;
    assert_eq!(
        h.call("POST", &resend_path, None, Some(&patient.token))
            .await
            .status,
        403
    );
    assert_eq!(
        invite(&h, &b, json!({"contact_id": "junk"})).await.status,
        404
    );
    let as_patient = h
        .call(
            "POST",
            "/v1/invites",
            Some(json!({"contact_id": contact["id"]})),
            Some(&patient.token),
        )
        .await;
    assert_eq!(as_patient.status, 403);
    // Nor can they turn A's conversations into invites.
    let conv = mine["conversation_id"].as_str().unwrap();
    let path = format!("/v1/conversations/{conv}/secure-invite");
    assert_eq!(
        h.call("POST", &path, None, Some(&b.token)).await.status,
        404
    );
    assert_eq!(
        h.call("POST", &path, None, Some(&patient.token))
            .await
            .status,
        403
    );
}

#[tokio::test]
async fn a_standard_conversation_becomes_a_secure_invite() {
    let h = Harness::new().await;
    let staff = h.new_practice("Elm").await;
    let phone = random_phone();
    let contact = h.new_contact(&staff, "Ann", Some(&phone), None).await;
    // A standard conversation, written directly (its route belongs to another area).
    let (standard, rows) = new_conversation(
        NewConversation {
            id: ConversationId::generate(),
            org_id: staff.org_id.parse().unwrap(),
            kind: ConversationKind::Standard,
            subject: None,
            tags: vec![],
            state: ConversationState::Active,
            identity: None,
            contact_match: None,
            link_id: None,
            contact_ids: vec![contact["id"].as_str().unwrap().parse().unwrap()],
            channel: Some(Channel::Sms),
            participants: vec![],
            created_by: None,
        },
        h.app.now_ms(),
    );
    let writes = creation_writes(&h.app, &standard, &rows).unwrap();
    h.app
        .db
        .transact_write_items()
        .set_transact_items(Some(writes))
        .send()
        .await
        .unwrap();

    let reply = h
        .call(
            "POST",
            &format!("/v1/conversations/{}/secure-invite", standard.id),
            None,
            Some(&staff.token),
        )
        .await;
    assert_eq!(reply.status, 201, "{}", reply.text);
    let secure = meta(&h, reply.json()["conversation_id"].as_str().unwrap()).await;
    assert_eq!(secure.kind, ConversationKind::Secure);
    assert_eq!(secure.state, ConversationState::PendingAccount);
    assert!(latest_invite_token_sms(&phone).is_some());
    let stored = contact_item(&h, &staff.org_id, contact["id"].as_str().unwrap()).await;
    assert_eq!(stored.conversation_ids, vec![secure.id]);
    // A secure conversation is not a standard one.
    let again = h
        .call(
            "POST",
            &format!("/v1/conversations/{}/secure-invite", secure.id),
            None,
            Some(&staff.token),
        )
        .await;
    assert_eq!(again.status, 409);
    assert_eq!(again.error_code(), "not_standard");
}

#[tokio::test]
async fn a_retried_invite_with_the_same_idempotency_key_sends_once_and_answers_the_same() {
    use canopy_local::template::Api;
    let h = Harness::new().await;
    let staff = h.new_practice("Elm").await;
    let phone = random_phone();
    let contact = h
        .new_contact(&staff, "Retry Patient", Some(&phone), None)
        .await;
    let send = |body: serde_json::Value, key: &str| {
        let headers = [
            (
                "authorization".to_string(),
                format!("Bearer {}", staff.token),
            ),
            ("content-type".to_string(), "application/json".to_string()),
            ("idempotency-key".to_string(), key.to_string()),
        ]
        .into();
        h.raw(
            Api::App,
            "POST",
            "/v1/invites",
            headers,
            body.to_string().into_bytes(),
        )
    };
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
        .call(
            "GET",
            &format!("/v1/contacts/{}", contact["id"].as_str().unwrap()),
            None,
            Some(&staff.token),
        )
        .await
        .json();
    assert_eq!(
        contact_now["conversation_ids"].as_array().unwrap().len(),
        1,
        "one pending conversation"
    );
}
