//! Standard conversations staff start through the API (`POST /v1/conversations {kind:
//! "standard", contact_id, channel}`) go `to` the contact and come `from` the practice's
//! own number or reply address, so a post to them goes out; the patient's reply threads
//! into them and a STOP opts them out. A practice with no number gets 409 `no_sms_number`.

use super::{
    contact, email_records, item, post, practice, sms_records, start_standard, text_in, Private,
};
use canopy_shared::adapters::dynamo::{get_s, keys};
use canopy_tests::fixtures::{random_email, random_phone};
use serde_json::json;

#[tokio::test]
async fn a_staff_started_sms_conversation_sends_from_the_practice_number_and_threads_replies() {
    let mut s = Private::new().await;
    let p = practice(&s.h, "Juniper Clinic").await;
    let phone = random_phone();
    let ct = contact(
        &s.h,
        &p.staff.token,
        json!({"name": "Avery Stone", "phone": phone}),
    )
    .await;
    let c = start_standard(&s.h, &p.staff.token, &ct, "sms").await;
    let stored = super::meta(&s.h, &c).await;
    assert_eq!(get_s(&stored, "to"), Some(phone.as_str()));
    assert_eq!(get_s(&stored, "from_address"), Some(p.number.as_str()));

    let text = "Hello Avery, your prescription is ready for pickup.";
    let posted = post(&s.h, &p.staff.token, &c, text).await;
    assert_eq!(posted["delivery"]["status"], "queued");
    s.drain().await;
    let sent = sms_records(&phone);
    assert_eq!(sent.len(), 1, "{sent:?}");
    assert_eq!(sent[0].1, text, "exactly the text");
    let echo = item(
        &s.h,
        keys::provider_echo_pk(&sent[0].0),
        keys::PROVIDER_ECHO_SK,
    )
    .await
    .expect("echo");
    assert_eq!(
        get_s(&echo, "from"),
        Some(p.number.as_str()),
        "from the practice's number"
    );
    let message = posted["id"].as_str().unwrap();
    let one =
        s.h.call(
            "GET",
            &format!("/v1/conversations/{c}/messages/{message}"),
            None,
            Some(&p.staff.token),
        )
        .await;
    assert_eq!(one.json()["delivery"]["status"], "sent", "{}", one.text);

    // The reply threads into it; STOP opts it out.
    let reply = text_in(&s.h, &p, &phone, "Thanks, on my way").await;
    assert_eq!(reply, "threaded");
    assert_eq!(text_in(&s.h, &p, &phone, "STOP").await, "opted_out");
    let refused =
        s.h.api(&p.staff.token)
            .post_message(&c, "One more thing", "after-stop")
            .await;
    assert_eq!(refused.status, 409, "{}", refused.text);
    assert_eq!(refused.json()["error"]["code"], "opted_out");
    // A new conversation with an opted-out number starts opted out.
    let again = start_standard(&s.h, &p.staff.token, &ct, "sms").await;
    let details =
        s.h.call(
            "GET",
            &format!("/v1/conversations/{again}"),
            None,
            Some(&p.staff.token),
        )
        .await;
    assert_eq!(details.json()["opted_out"], true, "{}", details.text);
}

#[tokio::test]
async fn a_staff_started_email_conversation_sends_from_the_reply_address() {
    let mut s = Private::new().await;
    let p = practice(&s.h, "Sycamore Clinic").await;
    let email = random_email("patient");
    let ct = contact(
        &s.h,
        &p.staff.token,
        json!({"name": "Jordan Lake", "email": email}),
    )
    .await;
    let c = start_standard(&s.h, &p.staff.token, &ct, "email").await;
    let text = "Hi Jordan, please bring your insurance card on Monday.";
    post(&s.h, &p.staff.token, &c, text).await;
    s.drain().await;
    let mails = email_records(&email);
    assert_eq!(mails.len(), 1, "{mails:?}");
    let (_, source, subject, body) = &mails[0];
    assert!(source.contains(p.reply.as_str()), "{source}");
    assert_eq!(subject, "Message from Sycamore Clinic");
    assert_eq!(body, text);
}

#[tokio::test]
async fn a_practice_without_a_number_is_told_so_and_gets_one_once_numbers_are_loaded() {
    let s = Private::new().await;
    // Empty the pool: take every free number for a practice of no one.
    let nobody = canopy_shared::domain::ids::OrgId::generate();
    while s
        .h
        .app
        .store
        .take_sms_number(&nobody)
        .await
        .unwrap()
        .is_some()
    {}
    let owner = s.h.new_practice("Magnolia Clinic").await;
    let shown = s.h.call("GET", "/v1/org", None, Some(&owner.token)).await;
    assert_eq!(
        shown.json()["sms_number"],
        json!(null),
        "created without a number"
    );
    assert!(shown.json()["reply_email"].is_string(), "email still works");
    let phone = random_phone();
    let ct = contact(
        &s.h,
        &owner.token,
        json!({"name": "Casey Pine", "phone": phone}),
    )
    .await;
    let refused =
        s.h.call(
            "POST",
            "/v1/conversations",
            Some(json!({"kind": "standard", "contact_id": ct, "channel": "sms"})),
            Some(&owner.token),
        )
        .await;
    assert_eq!(refused.status, 409, "{}", refused.text);
    assert_eq!(refused.json()["error"]["code"], "no_sms_number");

    let loaded = canopy_shared::domain::contact_info::PhoneNumber::parse("+12025550188").unwrap();
    s.h.app
        .store
        .seed_sms_pool(std::slice::from_ref(&loaded))
        .await
        .unwrap();
    let c = start_standard(&s.h, &owner.token, &ct, "sms").await;
    let stored = super::meta(&s.h, &c).await;
    assert_eq!(get_s(&stored, "from_address"), Some(loaded.as_str()));
    let shown = s.h.call("GET", "/v1/org", None, Some(&owner.token)).await;
    assert_eq!(shown.json()["sms_number"], loaded.as_str());
}
