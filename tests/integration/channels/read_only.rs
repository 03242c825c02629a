//! Row 36: a read-only standard conversation takes no write but receipts. A text or email
//! from the patient never lands in it (staff stopped looking there) and is never lost:
//! it opens a new conversation in the inbox. Its subject and tags stay until staff
//! reactivate it, and it makes no secure invite.

use super::{
    contact, conversation_with_preview, inbox_row, meta, practice, stand_in, start_standard,
    text_in, ChannelPractice,
};
use canopy_shared::adapters::dynamo::get_n;
use canopy_tests::fixtures::{random_email, random_phone};
use canopy_tests::{moto, Harness};
use serde_json::json;

async fn make_read_only(h: &Harness, p: &ChannelPractice, id: &str) {
    let closed = h
        .api(&p.staff)
        .patch_conversation(id, json!({"read_only": true}))
        .await;
    assert_eq!(closed.status, 200, "{}", closed.text);
}

/// The conversation as staff see it (200 expected).
async fn shown(h: &Harness, p: &ChannelPractice, id: &str) -> serde_json::Value {
    let reply = h.api(&p.staff).conversation(id).await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    reply.json()
}

#[tokio::test]
async fn a_text_to_a_read_only_conversation_opens_a_new_one_and_leaves_it_untouched() {
    let h = Harness::new().await;
    let p = practice(&h, "Closed Line Clinic").await;
    let patient = random_phone();
    assert_eq!(text_in(&h, &p, &patient, "Is my form in?").await, "opened");
    let closed = conversation_with_preview(&h, &p, "Is my form in?").await;
    make_read_only(&h, &p, &closed).await;

    assert_eq!(text_in(&h, &p, &patient, "Hello again?").await, "opened");
    let fresh = conversation_with_preview(&h, &p, "Hello again?").await;
    assert_ne!(fresh, closed);
    let row = inbox_row(&h, &p, &fresh).await.expect("in the inbox");
    assert_eq!(
        (row["unread_count"].clone(), row["read_only"].clone()),
        (json!(1), json!(false))
    );
    // The read-only one is as staff left it: one message, still read-only.
    assert_eq!(get_n(&meta(&h, &closed).await, "message_count"), Some(1));
    let old = h.api(&p.staff).messages(&closed, "").await;
    assert_eq!(old.items().len(), 1, "{}", old.text);
    assert_eq!(shown(&h, &p, &closed).await["read_only"], true);
    // Later texts thread into the new one.
    assert_eq!(text_in(&h, &p, &patient, "Thanks!").await, "threaded");
    assert_eq!(get_n(&meta(&h, &fresh).await, "message_count"), Some(2));
}

#[tokio::test]
async fn an_email_replying_into_a_read_only_conversation_opens_a_new_one() {
    let h = Harness::new().await;
    let p = practice(&h, "Closed Mail Clinic").await;
    let patient = random_email("reply");
    let email = |to: String, text: &str| json!({"from": format!("Ann Lee <{patient}>"), "to": to, "subject": "Visit", "text": text});
    let first = stand_in(
        &h,
        "/_local/email/inbound",
        email(p.reply.as_str().to_string(), "One"),
    )
    .await;
    assert_eq!(
        first.json()["result"]["results"],
        json!(["opened"]),
        "{}",
        first.text
    );
    let closed = conversation_with_preview(&h, &p, "Visit One").await;
    make_read_only(&h, &p, &closed).await;
    // A reply that names the read-only conversation by its reply token.
    let token = closed.trim_start_matches("conv_").to_ascii_lowercase();
    let (local, domain) = p.reply.as_str().split_once('@').unwrap();
    let to = format!("{local}+{token}@{domain}");
    let reply = stand_in(&h, "/_local/email/inbound", email(to, "Two")).await;
    assert_eq!(
        reply.json()["result"]["results"],
        json!(["opened"]),
        "{}",
        reply.text
    );
    let fresh = conversation_with_preview(&h, &p, "Visit Two").await;
    assert_ne!(fresh, closed);
    assert_eq!(get_n(&meta(&h, &closed).await, "message_count"), Some(1));
}

#[tokio::test]
async fn subject_and_tags_wait_for_reactivation_and_no_secure_invite_is_made() {
    let h = Harness::new().await;
    let p = practice(&h, "Closed Settings Clinic").await;
    let phone = random_phone();
    let ann = contact(
        &h,
        &p.staff.token,
        json!({"name": "Ann Lee", "phone": phone}),
    )
    .await;
    let id = start_standard(&h, &p.staff.token, &ann, "sms").await;
    let tagged = h
        .api(&p.staff)
        .patch_conversation(&id, json!({"subject": "Forms", "tags": ["intake"]}))
        .await;
    assert_eq!(tagged.status, 200, "{}", tagged.text);
    make_read_only(&h, &p, &id).await;
    let before = shown(&h, &p, &id).await;

    for body in [
        json!({"subject": "Billing"}),
        json!({"tags": ["billing"]}),
        json!({"subject": null}),
        json!({"read_only": true, "tags": []}),
    ] {
        let refused = h.api(&p.staff).patch_conversation(&id, body.clone()).await;
        assert_eq!(refused.status, 409, "{body}: {}", refused.text);
        assert_eq!(refused.error_code(), "read_only", "{body}");
    }
    // Making it read-only again changes nothing and is allowed.
    let again = h
        .api(&p.staff)
        .patch_conversation(&id, json!({"read_only": true}))
        .await;
    assert_eq!(again.status, 200, "{}", again.text);
    assert_eq!(shown(&h, &p, &id).await, before);

    // No secure invite from it: nothing is texted and the contact stays uninvited.
    let refused = h.api(&p.staff).secure_invite(&id).await;
    assert_eq!(refused.status, 409, "{}", refused.text);
    assert_eq!(refused.error_code(), "read_only", "{}", refused.text);
    assert!(moto::sms_to(&phone).is_empty(), "no invite was texted");
    let shown_contact = h.api(&p.staff).contact(&ann).await.json();
    assert_eq!(shown_contact["status"], "not_invited", "{shown_contact}");

    // Reactivating and changing in one request works.
    let reopened = h
        .api(&p.staff)
        .patch_conversation(&id, json!({"read_only": false, "subject": "Billing"}))
        .await;
    assert_eq!(reopened.status, 200, "{}", reopened.text);
    assert_eq!(reopened.json()["subject"], "Billing");
    assert_eq!(reopened.json()["read_only"], false);
}
