//! Issue 12.6: a link signup proves only the phone, so it never takes over a contact on
//! file, even with a matching phone and email (a recycled number plus a known address);
//! staff bind it after checking who the patient is
//! (`POST /v1/conversations/{id}/confirm-identity`), audited.

use canopy_shared::conversations::{ContactMatch, Identity};
use canopy_tests::fixtures::{random_email, random_phone, SignedUp, Staff};
use canopy_tests::{moto, Harness, Reply};
use serde_json::json;

async fn confirm(h: &Harness, token: &str, conversation: &str, contact: &str) -> Reply {
    h.call(
        "POST",
        &format!("/v1/conversations/{conversation}/confirm-identity"),
        Some(json!({ "contact_id": contact })),
        Some(token),
    )
    .await
}

/// A practice with a contact on file (phone and email), and a link signup with exactly
/// that phone and email: the attack's starting point, and the honest patient's too.
async fn matching_signup(h: &Harness, staff: &Staff) -> (String, SignedUp) {
    let link = h.new_link(staff, &[]).await;
    let (phone, email) = (random_phone(), random_email("onfile"));
    let on_file = h
        .new_contact(staff, "Rosa Marsh", Some(&phone), Some(&email))
        .await;
    let signed_up = h
        .link_signup(&link.code, "Rosa Marsh", &phone, Some(&email))
        .await;
    (on_file["id"].as_str().unwrap().to_string(), signed_up)
}

#[tokio::test]
async fn a_recycled_number_and_a_known_email_do_not_take_over_the_record() {
    let (h, staff) = Harness::with_practice("Birch").await;
    let (on_file, attacker) = matching_signup(&h, &staff).await;

    // The practice is told the details match...
    let conversation = h.stored_conversation(&attacker.conversation_id).await;
    assert_eq!(conversation.contact_match, Some(ContactMatch::Matched));
    assert_eq!(conversation.identity, Some(Identity::Unverified));
    // ...but the record on file stays unbound: the signup got a contact of its own.
    assert_ne!(conversation.contact_ids[0].to_string(), on_file);
    let record = h.api(&staff).contact(&on_file).await.json();
    assert_ne!(record["status"], "has_account");
    assert_eq!(record["conversation_ids"], json!([]));
    let stored = h.stored_contact(&staff.org_id, &on_file).await;
    assert!(stored.account_id.is_none());
    // The signup still works as a conversation with the practice.
    let own = h
        .api(&staff)
        .contact(&conversation.contact_ids[0].to_string())
        .await;
    assert_eq!(own.json()["status"], "has_account");
    assert_eq!(
        own.json()["conversation_ids"],
        json!([attacker.conversation_id])
    );
}

#[tokio::test]
async fn staff_confirmation_binds_the_signup_to_the_record_once_and_is_audited() {
    let (h, staff) = Harness::with_practice("Birch").await;
    let (on_file, patient) = matching_signup(&h, &staff).await;
    let signup_contact = h
        .stored_conversation(&patient.conversation_id)
        .await
        .contact_ids[0]
        .to_string();

    let confirmed = confirm(&h, &staff.token, &patient.conversation_id, &on_file).await;
    assert_eq!(confirmed.status, 200, "{}", confirmed.text);
    assert_eq!(
        confirmed.json(),
        json!({"conversation_id": patient.conversation_id, "contact_id": on_file,
               "account_id": patient.account_id, "identity": "verified"})
    );
    let details = h
        .api(&staff)
        .conversation(&patient.conversation_id)
        .await
        .json();
    assert_eq!(details["identity"], "verified");
    assert_eq!(
        details["contact_match"], "matched",
        "the match is still reported as it was"
    );
    let record = h.api(&staff).contact(&on_file).await.json();
    assert_eq!(record["status"], "has_account");
    assert_eq!(record["conversation_ids"], json!([patient.conversation_id]));
    let signup_record = h.api(&staff).contact(&signup_contact).await.json();
    assert_eq!(signup_record["conversation_ids"], json!([]));

    let again = confirm(&h, &staff.token, &patient.conversation_id, &on_file).await;
    assert_eq!(
        (again.status, again.error_code()),
        (409, "already_verified".into())
    );

    let trail = h.call("GET", "/v1/audit", None, Some(&staff.token)).await;
    assert_eq!(trail.status, 200, "{}", trail.text);
    let entry = trail
        .items()
        .into_iter()
        .find(|i| i["action"] == "conversation.confirm_identity")
        .expect("the confirmation is audited");
    assert_eq!(entry["actor_id"], staff.account_id.as_str());
}

#[tokio::test]
async fn confirmation_is_refused_to_patients_other_practices_and_taken_contacts() {
    let (h, staff) = Harness::with_practice("Birch").await;
    let (on_file, patient) = matching_signup(&h, &staff).await;
    let conv = &patient.conversation_id;

    // The patient cannot confirm themselves.
    let own = confirm(&h, &patient.token, conv, &on_file).await;
    assert_eq!(own.status, 403, "{}", own.text);
    // Another practice sees neither the conversation nor the contact.
    let other = h.new_practice("Other Clinic").await;
    let foreign = confirm(&h, &other.token, conv, &on_file).await;
    assert_eq!(foreign.status, 404, "{}", foreign.text);
    let their_contact = h
        .new_contact(&other, "Someone Else", Some(&random_phone()), None)
        .await;
    let cross = confirm(
        &h,
        &staff.token,
        conv,
        their_contact["id"].as_str().unwrap(),
    )
    .await;
    assert_eq!(cross.status, 404, "{}", cross.text);
    // A contact bound to another patient's account is never handed over.
    let someone = h.new_patient(&staff, "Bound Person").await;
    let refused = confirm(&h, &staff.token, conv, &someone.contact_id).await;
    assert_eq!(
        (refused.status, refused.error_code()),
        (409, "contact_has_account".into()),
        "{}",
        refused.text
    );
    // Bad input is a clear 400, and nothing changed.
    let bad = confirm(&h, &staff.token, conv, "not-a-contact").await;
    assert_eq!(bad.status, 400, "{}", bad.text);
    let still = h.stored_conversation(conv).await;
    assert_eq!(still.identity, Some(Identity::Unverified));
}

#[tokio::test]
async fn an_invites_conversation_is_already_verified() {
    let (h, staff) = Harness::with_practice("Birch").await;
    let (phone, email) = (random_phone(), random_email("inv"));
    let (invite, token) = h.invite_contact(&staff, &phone, Some(&email)).await;
    let started = h
        .public()
        .signup_start(json!({"name": "Ann Lee", "phone": phone, "invite_token": token}))
        .await;
    let challenge = started.json()["challenge_id"].clone();
    let (sms, mail) = (
        moto::latest_sms_code(&phone).unwrap(),
        moto::latest_email_code(&email).unwrap(),
    );
    let verified = h
        .public()
        .signup_verify(json!({"challenge_id": challenge, "sms_code": sms, "email_code": mail}))
        .await;
    assert_eq!(verified.status, 200, "{}", verified.text);
    let conversation = invite["conversation_id"].as_str().unwrap();
    let contact = h.stored_conversation(conversation).await.contact_ids[0].to_string();
    let refused = confirm(&h, &staff.token, conversation, &contact).await;
    assert_eq!(
        (refused.status, refused.error_code()),
        (409, "already_verified".into()),
        "{}",
        refused.text
    );
}
