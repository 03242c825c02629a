//! Standard → secure (issue 10, item 5): after `POST /v1/conversations/{id}/secure-invite`
//! and the patient's signup with that invite, the standard conversation shows
//! `secure_conversation_id` and the secure one `standard_conversation_id`, written by the
//! signup's one transaction. A plain `POST /v1/invites` links nothing, and another
//! practice can neither see nor follow either pointer.

use super::{contact, practice, start_standard, ChannelPractice};
use canopy_tests::fixtures::{latest_invite_token_sms, patient_from, random_email, random_phone};
use canopy_tests::{moto, Harness};
use serde_json::{json, Value};

/// The conversation's details as `token` sees them (200 expected).
async fn details(h: &Harness, token: &str, id: &str) -> Value {
    let shown = h.api(token).conversation(id).await;
    assert_eq!(shown.status, 200, "{}", shown.text);
    shown.json()
}

/// A contact with both a phone and an email, in a standard SMS conversation.
struct Standard {
    conversation: String,
    contact: String,
    phone: String,
    email: String,
}

async fn standard_sms(h: &Harness, p: &ChannelPractice, name: &str) -> Standard {
    let (phone, email) = (random_phone(), random_email("pt"));
    let body = json!({"name": name, "phone": phone, "email": email});
    let contact = contact(h, &p.staff.token, body).await;
    let conversation = start_standard(h, &p.staff.token, &contact, "sms").await;
    Standard {
        conversation,
        contact,
        phone,
        email,
    }
}

/// The patient accepts the invite texted to `phone` (both codes, phone and email): the
/// verify answer and the DynamoDB operations the verify made (sorted: its reads run
/// concurrently).
async fn accept(h: &Harness, phone: &str, email: &str) -> (Value, Vec<String>) {
    let token = latest_invite_token_sms(phone).expect("the invite was texted");
    let body = json!({"name": "Ann Lee", "phone": phone, "invite_token": token});
    let challenge = h.signup_start(body).await;
    let codes = json!({
        "challenge_id": challenge,
        "sms_code": moto::latest_sms_code(phone).expect("sms code"),
        "email_code": moto::latest_email_code(email).expect("email code"),
    });
    let (reply, mut ops) = h.counted(h.public().signup_verify(codes)).await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    ops.sort();
    (reply.json(), ops)
}

#[tokio::test]
async fn a_secure_invite_links_the_two_conversations_once_the_patient_signs_up() {
    let h = Harness::new().await;
    let p = practice(&h, "Rowan Clinic").await;
    let Standard {
        conversation: standard,
        phone,
        email,
        ..
    } = standard_sms(&h, &p, "Ann Lee").await;

    let invited = h.api(&p.staff).secure_invite(&standard).await;
    assert_eq!(invited.status, 201, "{}", invited.text);
    let secure = invited.json()["conversation_id"]
        .as_str()
        .unwrap()
        .to_string();
    // Before the signup neither points anywhere.
    let before = details(&h, &p.staff.token, &standard).await;
    assert_eq!(before["secure_conversation_id"], Value::Null, "{before}");
    let pending = details(&h, &p.staff.token, &secure).await;
    assert_eq!(pending["state"], "pending_account");
    assert_eq!(
        pending["standard_conversation_id"],
        Value::Null,
        "{pending}"
    );

    let (signed_up, ops) = accept(&h, &phone, &email).await;
    let patient = patient_from(&signed_up, &phone);
    assert_eq!(patient.conversation_id, secure);
    let writes: Vec<&String> = ops.iter().filter(|o| o.contains("Write")).collect();
    assert_eq!(
        writes,
        ["TransactWriteItems"],
        "the pointers ride in the signup's one transaction: {ops:?}"
    );

    let standard_now = details(&h, &p.staff.token, &standard).await;
    assert_eq!(standard_now["secure_conversation_id"], secure.as_str());
    let secure_now = details(&h, &p.staff.token, &secure).await;
    assert_eq!(secure_now["state"], "active");
    assert_eq!(secure_now["standard_conversation_id"], standard.as_str());

    // The patient sees their secure conversation, but not the staff-only pointer, and
    // cannot follow it to the standard conversation.
    let own = details(&h, &patient.token, &secure).await;
    assert!(own.get("standard_conversation_id").is_none(), "{own}");
    let followed = h.api(&patient).conversation(&standard).await;
    assert_eq!(followed.status, 404, "{}", followed.text);

    // Another practice's staff can see neither end nor follow a pointer.
    let other = practice(&h, "Spruce Clinic").await;
    for id in [&standard, &secure] {
        let seen = h.api(&other.staff).conversation(id).await;
        assert_eq!(seen.status, 404, "{id}: {}", seen.text);
        assert_eq!(seen.error_code(), "not_found");
        assert!(!seen.text.contains(&standard) && !seen.text.contains(&secure));
    }
}

#[tokio::test]
async fn a_plain_invite_links_nothing_and_costs_the_signup_the_same_round_trips() {
    let h = Harness::new().await;
    let p = practice(&h, "Linden Clinic").await;
    // The contact has a standard conversation too, but is invited through POST /v1/invites.
    let ann = standard_sms(&h, &p, "Ann Lee").await;
    let standard = ann.conversation.clone();
    let invited = h
        .api(&p.staff)
        .invite(json!({"contact_id": ann.contact}))
        .await;
    assert_eq!(invited.status, 201, "{}", invited.text);
    let secure = invited.json()["conversation_id"]
        .as_str()
        .unwrap()
        .to_string();

    let (_, plain_ops) = accept(&h, &ann.phone, &ann.email).await;
    let secure_now = details(&h, &p.staff.token, &secure).await;
    assert_eq!(secure_now["state"], "active");
    assert_eq!(
        secure_now["standard_conversation_id"],
        Value::Null,
        "{secure_now}"
    );
    let standard_now = details(&h, &p.staff.token, &standard).await;
    assert_eq!(
        standard_now["secure_conversation_id"],
        Value::Null,
        "{standard_now}"
    );

    // A secure invite's acceptance makes exactly the same calls.
    let bo = standard_sms(&h, &p, "Bo Reyes").await;
    let invited = h.api(&p.staff).secure_invite(&bo.conversation).await;
    assert_eq!(invited.status, 201, "{}", invited.text);
    let (_, linked_ops) = accept(&h, &bo.phone, &bo.email).await;
    assert_eq!(linked_ops, plain_ops, "no extra round trip");
}
