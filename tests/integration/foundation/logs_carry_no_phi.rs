//! SECURITY.md: "No message text, code or token in [an audit item] or in logs." A practice
//! invites a patient, talks with it in a secure conversation and by SMS (out through the
//! stream consumer, a reply back in through the inbound function), with a distinctive value
//! in every field a log line could leak; then no captured log line (everything this test
//! binary's handlers logged, through the production filter at `trace`) holds any of them.
//! `one_time_codes::codes_and_tokens_never_reach_the_logs` covers sign-in codes and bearer
//! tokens.

use canopy_tests::fixtures::random_phone;
use canopy_tests::Harness;
use serde_json::json;

#[tokio::test]
async fn message_texts_invite_tokens_phone_numbers_and_names_never_reach_the_logs() {
    let (h, owner, patient, conversation) =
        Harness::with_chat("Lumen Clinic", "Quintessa Vantablack").await;
    let secure_text = "Your biopsy shows benign keratosis zq7";
    let posted = h
        .api(&owner)
        .post_message(&conversation, secure_text, "log-1")
        .await;
    assert_eq!(posted.status, 201, "{}", posted.text);
    let read = h.api(&patient).messages(&conversation, "").await;
    assert!(read.text.contains(secure_text));

    // An invite: its token travels by SMS and email only.
    let invited_phone = random_phone();
    let invited_email = "marisol.oyelaran-zq7@example.com";
    let (_, invite_token) = h
        .invite_contact(&owner, &invited_phone, Some(invited_email))
        .await;

    // A standard SMS conversation, out and back in.
    let texted_phone = random_phone();
    let contact = h
        .api(&owner)
        .create_contact(json!({"name": "Ottoline Brackwater", "phone": texted_phone}))
        .await;
    let opened = h
        .api(&owner)
        .create_conversation(
            json!({"kind": "standard", "contact_id": contact.string("id"), "channel": "sms"}),
        )
        .await;
    assert_eq!(opened.status, 201, "{}", opened.text);
    let sms_text = "Please fast from midnight before the colonoscopy zq7";
    let sent = h
        .api(&owner)
        .post_message(&opened.string("id"), sms_text, "log-2")
        .await;
    assert_eq!(sent.status, 201, "{}", sent.text);
    h.settle().await;
    let texts = canopy_tests::moto::sms_to(&texted_phone);
    assert!(
        texts.iter().any(|t| t.contains(sms_text)),
        "the SMS went out: {texts:?}"
    );
    let number = h
        .call("GET", "/v1/org", None, Some(&owner.token))
        .await
        .string("sms_number");
    let reply_text = "Will do, my INR was 2.9 zq7";
    let inbound = json!({"from": texted_phone, "to": number, "body": reply_text});
    let delivered = h
        .call("POST", "/_local/sms/inbound", Some(inbound), None)
        .await;
    assert_eq!(delivered.status, 202, "{}", delivered.text);
    h.settle().await;
    let thread = h.api(&owner).messages(&opened.string("id"), "").await;
    assert!(
        thread.text.contains(reply_text),
        "the reply came in: {}",
        thread.text
    );

    let logs = canopy_tests::logs::captured();
    assert!(
        logs.contains("POST /v1/conversations/{id}/messages"),
        "request lines are logged"
    );
    let national = texted_phone.trim_start_matches("+1");
    for secret in [
        secure_text,
        sms_text,
        reply_text,
        invite_token.as_str(),
        invited_phone.as_str(),
        texted_phone.as_str(),
        national,
        invited_email,
        "Quintessa",
        "Vantablack",
        "Ottoline",
        "Brackwater",
    ] {
        let leak = logs.lines().find(|l| l.contains(secret));
        assert!(
            leak.is_none(),
            "log leaked {secret}: {}",
            leak.unwrap_or_default()
        );
    }
}
