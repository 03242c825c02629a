//! Whole journeys across every function, through the API only (codes and links read from
//! moto), as a practice and its patients would live them.

use canopy_tests::fixtures::token_in;
use canopy_tests::fixtures::{random_email, random_phone};
use canopy_tests::{moto, Harness};
use serde_json::{json, Value};

async fn inbox(h: &Harness, token: &str) -> Vec<Value> {
    h.settle().await; // patients' inbox rows follow the stream
    let r = h.api(token).inbox("").await;
    assert_eq!(r.status, 200, "{}", r.text);
    r.json()["items"].as_array().unwrap().clone()
}

fn row<'a>(items: &'a [Value], id: &str) -> &'a Value {
    items
        .iter()
        .find(|c| c["id"] == id)
        .unwrap_or_else(|| panic!("{id} not in inbox: {items:?}"))
}

#[tokio::test]
async fn a_link_signup_lands_in_the_inbox_and_the_conversation_works() {
    let (h, owner) = Harness::with_practice("Elm Street Clinic").await;
    let link = h
        .api(&owner)
        .create_link(json!({"label": "Spring flyer", "tags": ["flyer"]}))
        .await;
    assert_eq!(link.status, 201, "{}", link.text);
    let code = link.json()["code"].as_str().unwrap().to_string();

    // A desktop click shows the practice and counts the click.
    let page = h.click(&code, "Mozilla/5.0 (X11; Linux x86_64)").await;
    assert_eq!(page.status, 200);
    assert!(page.text.contains("Elm Street Clinic"));

    // The patient signs up with the code; the SMS carries the one-time code.
    let phone = random_phone();
    let started = h
        .public()
        .signup_start(json!({"name": "Ana Patient", "phone": phone, "link_code": code}))
        .await;
    assert_eq!(started.status, 202, "{}", started.text);
    assert_eq!(started.json()["channels"], json!(["sms"]));
    let challenge = started.json()["challenge_id"].as_str().unwrap().to_string();
    let sms_code = moto::latest_sms_code(&phone).unwrap();
    let verified = h
        .public()
        .signup_verify(json!({"challenge_id": challenge, "sms_code": sms_code}))
        .await;
    assert_eq!(verified.status, 200, "{}", verified.text);
    let patient = verified.json();
    let patient_token = patient["token"].as_str().unwrap().to_string();
    let conversation = patient["conversation_id"].as_str().unwrap().to_string();
    assert_eq!(patient["org_id"], owner.org_id.as_str());

    // It is in the practice inbox, tagged by the link, identity unverified.
    let staff_inbox = inbox(&h, &owner.token).await;
    assert_eq!(row(&staff_inbox, &conversation)["tags"], json!(["flyer"]));
    let details = h.api(&owner).conversation(&conversation).await.json();
    assert_eq!(details["identity"], "unverified");
    assert_eq!(details["contact_match"], "none");
    assert_eq!(details["state"], "active");

    // Staff post; the patient sees one unread message, reads it; staff see "seen by".
    let posted = h
        .api(&owner)
        .post_message(&conversation, "Welcome to Elm Street Clinic.", "welcome-1")
        .await;
    assert_eq!(posted.status, 201, "{}", posted.text);
    let message = posted.json()["id"].as_str().unwrap().to_string();
    assert_eq!(
        row(&inbox(&h, &patient_token).await, &conversation)["unread_count"],
        1
    );
    let read = h.api(&patient_token).read(&conversation, &message).await;
    assert_eq!(read.status, 200, "{}", read.text);
    assert_eq!(read.json()["unread_count"], 0);
    let seen = h.api(&owner).message(&conversation, &message).await.json();
    let readers = seen["seen_by"].as_array().unwrap();
    let patient_seen = readers
        .iter()
        .find(|r| r["id"] == patient["account"]["id"])
        .expect("the patient has seen it");
    assert!(patient_seen["seen_at"].as_str().unwrap().ends_with('Z'));

    // The link counted the click and the signup.
    let links = h.api(&owner).links().await.json();
    let counted = links["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["code"] == code.as_str())
        .unwrap()
        .clone();
    assert_eq!(
        (counted["clicks"].as_i64(), counted["signups"].as_i64()),
        (Some(1), Some(1))
    );
}

#[tokio::test]
async fn an_invite_signup_activates_the_conversation_and_both_sides_message() {
    let (h, owner) = Harness::with_practice("Oak Family Practice").await;
    let (phone, email) = (random_phone(), random_email("patient"));
    let contact = h
        .api(&owner)
        .create_contact(json!({"name": "Ben Patient", "phone": phone, "email": email}))
        .await;
    assert_eq!(contact.status, 201, "{}", contact.text);
    let contact_id = contact.json()["id"].as_str().unwrap().to_string();
    let invite = h
        .api(&owner)
        .invite(json!({"contact_id": contact_id, "subject": "Billing"}))
        .await;
    assert_eq!(invite.status, 201, "{}", invite.text);
    assert_eq!(
        invite.json()["sent_to"],
        json!({"sms": true, "email": true})
    );
    let conversation = invite.json()["conversation_id"]
        .as_str()
        .unwrap()
        .to_string();
    let pending = h.api(&owner).conversation(&conversation).await.json();
    assert_eq!(pending["state"], "pending_account");

    // The texts carry the practice name and the invite URL, never the subject.
    let sms = moto::sms_to(&phone).last().cloned().unwrap();
    let (_, mail) = moto::emails_to(&email).last().cloned().unwrap();
    assert!(sms.contains("Oak Family Practice") && !sms.contains("Billing"));
    assert!(!mail.contains("Billing"));
    let token = token_in(&sms).unwrap();
    assert_eq!(token_in(&mail).as_deref(), Some(token.as_str()));
    let page = h.open_invite(&token, "").await;
    assert_eq!(page.status, 200);

    let started = h
        .public()
        .signup_start(json!({"name": "Ben Patient", "phone": phone, "invite_token": token}))
        .await;
    assert_eq!(started.status, 202, "{}", started.text);
    assert_eq!(started.json()["channels"], json!(["sms", "email"]));
    let challenge = started.json()["challenge_id"].as_str().unwrap().to_string();
    let sms_code = moto::latest_sms_code(&phone).unwrap();
    let email_code = moto::latest_email_code(&email).unwrap();
    let verified = h
        .public()
        .signup_verify(
            json!({"challenge_id": challenge, "sms_code": sms_code, "email_code": email_code}),
        )
        .await;
    assert_eq!(verified.status, 200, "{}", verified.text);
    assert_eq!(verified.json()["conversation_id"], conversation.as_str());
    let patient_token = verified.json()["token"].as_str().unwrap().to_string();

    let details = h.api(&owner).conversation(&conversation).await.json();
    assert_eq!(
        (details["state"].as_str(), details["identity"].as_str()),
        (Some("active"), Some("verified"))
    );
    let contact = h.api(&owner).contact(&contact_id).await.json();
    assert_eq!(contact["status"], "has_account");
    // The used token is gone.
    assert_eq!(h.open_invite(&token, "").await.status, 410);

    // The patient writes first; staff see an unread badge and answer.
    let posted = h
        .api(&patient_token)
        .post_message(&conversation, "Hello, about my bill.", "p-1")
        .await;
    assert_eq!(posted.status, 201, "{}", posted.text);
    assert_eq!(
        row(&inbox(&h, &owner.token).await, &conversation)["unread_count"],
        1
    );
    let answer = h
        .api(&owner)
        .post_message(&conversation, "Thanks, we will look.", "s-1")
        .await;
    assert_eq!(answer.status, 201);
    let patient_row = row(&inbox(&h, &patient_token).await, &conversation).clone();
    assert_eq!(patient_row["unread_count"], 1);
    assert_eq!(patient_row["subject"], "Billing");
}
