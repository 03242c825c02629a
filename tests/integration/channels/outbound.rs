//! Outbound standard messages through the stream consumer: sent once from the practice's
//! number or address with exactly the text, `sent` with the provider's id, then the
//! delivery status only moves forward; bounces opt out; a provider's refusal fails the
//! message for good (`rejected`); a malformed record is skipped.
//! (Failed records retried with nothing sent twice: `concurrent.rs`, through the API.)

use super::{
    email_records, item, meta, practice, sms_conversation, sms_records, stand_in, text_in, Private,
};
use canopy_shared::adapters::dynamo::{self, get_s, keys};
use canopy_shared::domain::ids::MessageId;
use canopy_tests::fixtures::{random_email, random_phone};
use canopy_tests::Harness;
use serde_json::json;

/// A staff message queued in a standard conversation, as the post stores it.
async fn queue(h: &Harness, conversation: &str, sender: &str, text: &str) -> String {
    let id = MessageId::generate().to_string();
    let now = h.app.now_ms();
    let item = json!({
        "pk": format!("CONV#{conversation}"), "sk": format!("M#{id}"), "id": id,
        "conversation_id": conversation, "sender_id": sender, "text": text,
        "client_message_id": format!("c-{id}"), "sent_at": now, "direction": "outbound",
        "delivery": {"status": "queued", "updated_at": now}
    });
    super::db()
        .await
        .put_item()
        .table_name(h.app.table())
        .set_item(Some(dynamo::to_item(&item).unwrap()))
        .send()
        .await
        .unwrap();
    id
}

async fn delivery(
    h: &Harness,
    conversation: &str,
    message: &str,
) -> (String, Option<String>, Option<String>) {
    let m = item(h, format!("CONV#{conversation}"), &format!("M#{message}"))
        .await
        .expect("message");
    let d = m["delivery"].as_m().expect("delivery");
    let s = |k: &str| d.get(k).and_then(|v| v.as_s().ok()).cloned();
    (
        s("status").unwrap_or_default(),
        s("provider_message_id"),
        s("reason"),
    )
}

#[tokio::test]
async fn an_sms_goes_out_once_from_the_practice_number_then_moves_to_delivered() {
    let mut s = Private::new().await;
    let p = practice(&s.h, "Hazel Clinic").await;
    let patient = random_phone();
    let c = sms_conversation(&s.h, &p, &patient).await;
    let text = "Your lab results are in; please call us.";
    let m = queue(&s.h, &c, &p.staff.account_id, text).await;

    s.h.app.db_calls.reset();
    s.drain().await;
    let ops = s.h.app.db_calls.operations();
    let writes = ops.iter().filter(|o| o.as_str() == "UpdateItem").count();
    assert_eq!(writes, 1, "one write per message: {ops:?}");
    assert!(
        ops.iter().all(|o| o == "BatchGetItem" || o == "UpdateItem"),
        "{ops:?}"
    );

    let sent = sms_records(&patient);
    assert_eq!(sent.len(), 1, "{sent:?}");
    assert_eq!(sent[0].1, text, "exactly the text");
    let (status, provider_id, _) = delivery(&s.h, &c, &m).await;
    assert_eq!(status, "sent");
    assert_eq!(
        provider_id.as_deref(),
        Some(sent[0].0.as_str()),
        "moto's message id"
    );
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

    let event = json!({"provider_message_id": sent[0].0, "status": "delivered"});
    let r = stand_in(&s.h, "/_local/sms/status", event.clone()).await;
    assert_eq!(r.status, 202, "{}", r.text);
    assert_eq!(r.json()["result"]["applied"], 1);
    assert_eq!(delivery(&s.h, &c, &m).await.0, "delivered");
    let again = stand_in(&s.h, "/_local/sms/status", event).await;
    assert_eq!(
        again.json()["result"]["unchanged"],
        1,
        "a duplicate changes nothing"
    );
    let late = stand_in(
        &s.h,
        "/_local/sms/status",
        json!({"provider_message_id": sent[0].0, "status": "failed"}),
    )
    .await;
    assert_eq!(
        late.json()["result"]["unchanged"],
        1,
        "never backwards or sideways"
    );
    assert_eq!(delivery(&s.h, &c, &m).await.0, "delivered");

    s.drain().await; // the status changes are on the stream too: none of them sends
    assert_eq!(sms_records(&patient).len(), 1, "sent once");
}

#[tokio::test]
async fn an_email_goes_out_from_the_reply_address_and_a_bounce_opts_the_address_out() {
    let mut s = Private::new().await;
    let p = practice(&s.h, "Ivy Clinic").await;
    let patient = random_email("bo");
    let opened = stand_in(
        &s.h,
        "/_local/email/inbound",
        json!({"from": patient, "to": p.reply.as_str(), "subject": "Hello", "text": "Is this you?"}),
    )
    .await;
    assert_eq!(
        opened.json()["result"]["results"],
        json!(["opened"]),
        "{}",
        opened.text
    );
    let thread = item(
        &s.h,
        keys::thread_pk(&p.org, "email", &patient),
        keys::THREAD_SK,
    )
    .await
    .expect("thread");
    let c = get_s(&thread, "latest_conversation_id")
        .unwrap()
        .to_string();
    let text = "Yes, it is us. See you Tuesday.";
    let m = queue(&s.h, &c, &p.staff.account_id, text).await;
    s.drain().await;

    let mails = email_records(&patient);
    assert_eq!(mails.len(), 1, "{mails:?}");
    let (ses_id, source, subject, body) = &mails[0];
    assert!(source.contains(p.reply.as_str()), "{source}");
    assert_eq!(subject, "Message from Ivy Clinic");
    assert_eq!(body, text);
    assert_eq!(
        delivery(&s.h, &c, &m).await,
        ("sent".into(), Some(ses_id.clone()), None)
    );

    let r = stand_in(
        &s.h,
        "/_local/email/status",
        json!({"provider_message_id": ses_id, "status": "bounced"}),
    )
    .await;
    assert_eq!(r.status, 202, "{}", r.text);
    let (status, _, reason) = delivery(&s.h, &c, &m).await;
    assert_eq!(
        (status.as_str(), reason.as_deref()),
        ("bounced", Some("bounced"))
    );
    assert_eq!(
        meta(&s.h, &c).await["opted_out"].as_bool().ok(),
        Some(&true)
    );
}

#[tokio::test]
async fn a_malformed_record_is_skipped_and_blocks_nothing() {
    let mut s = Private::new().await;
    let p = practice(&s.h, "Kauri Clinic").await;
    let patient = random_phone();
    let c = sms_conversation(&s.h, &p, &patient).await;
    // It carries what a message carries (text, the patient's number): none of it may be
    // logged when the record is skipped.
    let secret = format!("Kauri biopsy result for {patient}");
    let broken = json!({
        "pk": format!("CONV#{c}"), "sk": "M#not-a-message", "id": 42, "text": secret,
        "direction": "outbound", "delivery": {"status": "queued", "updated_at": 1}
    });
    canopy_tests::logs::install();
    super::db()
        .await
        .put_item()
        .table_name(s.h.app.table())
        .set_item(Some(dynamo::to_item(&broken).unwrap()))
        .send()
        .await
        .unwrap();
    queue(&s.h, &c, &p.staff.account_id, "After the broken one").await;
    s.drain().await;
    assert_eq!(sms_records(&patient).len(), 1);
    let invocations = s.stream.invocations;
    s.drain().await;
    assert_eq!(
        s.stream.invocations, invocations,
        "nothing stuck or retried"
    );
    let logs = canopy_tests::logs::captured();
    assert!(logs.contains("skipping a malformed stream record"));
    assert!(
        !logs.contains("Kauri biopsy"),
        "the record's text was logged"
    );
    assert!(!logs.contains(&patient), "the patient's number was logged");
}

#[tokio::test]
async fn a_message_queued_before_stop_fails_as_opted_out_and_is_not_sent() {
    let mut s = Private::new().await;
    let p = practice(&s.h, "Larch Clinic").await;
    let patient = random_phone();
    let c = sms_conversation(&s.h, &p, &patient).await;
    let m = queue(&s.h, &c, &p.staff.account_id, "Are you coming?").await;
    assert_eq!(text_in(&s.h, &p, &patient, "STOP").await, "opted_out");
    s.drain().await;
    assert!(sms_records(&patient).is_empty());
    let (status, _, reason) = delivery(&s.h, &c, &m).await;
    assert_eq!(
        (status.as_str(), reason.as_deref()),
        ("failed", Some("opted_out"))
    );
}

#[tokio::test]
async fn a_message_the_provider_refuses_fails_as_rejected_for_good_and_the_next_goes_out() {
    let mut s = Private::new().await;
    let p = practice(&s.h, "Rowan Clinic").await;
    let patient = random_phone();
    let c = sms_conversation(&s.h, &p, &patient).await;
    s.refuse_once("Your forms are ready");
    let m = queue(&s.h, &c, &p.staff.account_id, "Your forms are ready").await;
    s.drain().await;
    assert!(sms_records(&patient).is_empty(), "nothing was sent");
    let (status, provider_id, reason) = delivery(&s.h, &c, &m).await;
    assert_eq!(
        (status.as_str(), reason.as_deref()),
        ("failed", Some("rejected"))
    );
    assert_eq!(provider_id, None);
    // Final: not retried (the stream has nothing left to redo)…
    let invocations = s.stream.invocations;
    s.drain().await;
    assert_eq!(s.stream.invocations, invocations, "nothing retried");
    assert!(sms_records(&patient).is_empty());
    // …and staff see why, on the message itself.
    let shown = s.h.api(&p.staff).message(&c, &m).await;
    assert_eq!(shown.status, 200, "{}", shown.text);
    assert_eq!(
        shown.json()["delivery"]["status"],
        "failed",
        "{}",
        shown.text
    );
    assert_eq!(
        shown.json()["delivery"]["reason"],
        "rejected",
        "{}",
        shown.text
    );
    // A refusal is about that message, not an opt-out: the next one goes out.
    let next = queue(&s.h, &c, &p.staff.account_id, "Call us to book").await;
    s.drain().await;
    assert_eq!(sms_records(&patient).len(), 1);
    assert_eq!(delivery(&s.h, &c, &next).await.0, "sent");
}
