//! SECURITY.md row 69: an SES complaint (the recipient marked our mail as spam) ends email
//! to that address, as a bounce does: the message shows `complained`, the conversation is
//! opted out, and the next staff post is refused before anything is sent.

use super::{contact, email_records, meta, practice, stand_in, start_standard, Private};
use canopy_tests::fixtures::random_email;
use serde_json::json;

#[tokio::test]
async fn a_complaint_opts_the_address_out_and_the_next_post_is_refused() {
    let mut s = Private::new().await;
    let p = practice(&s.h, "Aspen Clinic").await;
    let patient = random_email("spam");
    let token = &p.staff.token;
    let ct = contact(&s.h, token, json!({"name": "Lee Park", "email": patient})).await;
    let c = start_standard(&s.h, token, &ct, "email").await;
    let posted = super::post(&s.h, token, &c, "Your forms are ready.").await;
    s.drain().await;
    let mails = email_records(&patient);
    assert_eq!(mails.len(), 1, "{mails:?}");
    let ses_id = mails[0].0.clone();

    let r = stand_in(
        &s.h,
        "/_local/email/status",
        json!({"provider_message_id": ses_id, "status": "complained"}),
    )
    .await;
    assert_eq!(r.status, 202, "{}", r.text);
    let message =
        s.h.api(token)
            .message(&c, posted["id"].as_str().unwrap())
            .await;
    assert_eq!(message.status, 200, "{}", message.text);
    assert_eq!(message.json()["delivery"]["status"], "complained");
    assert_eq!(
        meta(&s.h, &c).await["opted_out"].as_bool().ok(),
        Some(&true)
    );

    let refused =
        s.h.api(token)
            .post_message(&c, "One more thing", "after-complaint")
            .await;
    assert_eq!(
        (refused.status, refused.error_code()),
        (409, "opted_out".into()),
        "{}",
        refused.text
    );
    s.drain().await;
    assert_eq!(email_records(&patient).len(), 1, "nothing more was sent");
}
