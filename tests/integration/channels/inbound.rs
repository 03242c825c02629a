//! Inbound SMS and email thread into the practice's conversation with the sender, with
//! unread counts; an unknown sender opens a new conversation (and contact); a message to
//! an address that is no practice's reaches nobody.

use super::{
    contact, conversation_with_preview, inbox, inbox_row, meta, practice, stand_in, text_in,
};
use canopy_shared::adapters::dynamo::get_n;
use canopy_tests::fixtures::{random_email, random_phone};
use canopy_tests::Harness;
use serde_json::json;

#[tokio::test]
async fn an_unknown_number_opens_a_conversation_and_later_texts_thread_into_it() {
    let h = Harness::new().await;
    let p = practice(&h, "Birch Family Clinic").await;
    let patient = random_phone();

    let first = "Hi, is the clinic open Saturday?";
    assert_eq!(text_in(&h, &p, &patient, first).await, "opened");

    let contacts = h
        .call(
            "GET",
            &format!("/v1/contacts?q={}", &patient[2..]),
            None,
            Some(&p.staff.token),
        )
        .await;
    let found = contacts.json()["items"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    assert_eq!(found.len(), 1, "{}", contacts.text);
    assert_eq!(found[0]["name"], patient.as_str(), "named by the number");
    let conversation = found[0]["conversation_ids"][0].as_str().map(str::to_string);
    let id = conversation_with_preview(&h, &p, first).await;
    let row = inbox_row(&h, &p, &id)
        .await
        .expect("the new conversation is in the inbox");
    assert_eq!(row["kind"], "standard");
    if let Some(c) = conversation {
        assert_eq!(c, id);
    }
    assert_eq!(row["unread_count"], 1);

    let second = text_in(&h, &p, &patient, "Also: can I bring my son?").await;
    assert_eq!(second, "threaded");
    let row = inbox_row(&h, &p, &id).await.expect("still listed");
    assert_eq!(row["unread_count"], 2);
    assert_eq!(row["preview"], "Also: can I bring my son?");
    assert_eq!(get_n(&meta(&h, &id).await, "message_count"), Some(2));
}

#[tokio::test]
async fn a_text_to_a_number_of_no_practice_reaches_nobody() {
    let h = Harness::new().await;
    let p = practice(&h, "Cedar Clinic").await;
    let reply = stand_in(
        &h,
        "/_local/sms/inbound",
        json!({"from": random_phone(), "to": "+12065559999", "body": "hello?"}),
    )
    .await;
    assert_eq!(reply.status, 202);
    assert_eq!(
        reply.json()["result"]["results"],
        json!(["unknown_practice"])
    );
    assert!(inbox(&h, &p).await.iter().all(|r| r["preview"] != "hello?"));
}

#[tokio::test]
async fn the_same_number_at_two_practices_stays_in_each_practice() {
    let h = Harness::new().await;
    let a = practice(&h, "Alder Clinic").await;
    let b = practice(&h, "Beech Clinic").await;
    let patient = random_phone();
    for (p, text) in [(&a, "to alder"), (&b, "to beech")] {
        assert_eq!(text_in(&h, p, &patient, text).await, "opened");
    }
    let previews = |rows: Vec<serde_json::Value>| -> Vec<String> {
        rows.iter()
            .filter_map(|r| r["preview"].as_str().map(str::to_string))
            .collect()
    };
    let in_a = previews(inbox(&h, &a).await);
    let in_b = previews(inbox(&h, &b).await);
    assert!(in_a.contains(&"to alder".to_string()) && !in_a.contains(&"to beech".to_string()));
    assert!(in_b.contains(&"to beech".to_string()) && !in_b.contains(&"to alder".to_string()));
}

#[tokio::test]
async fn inbound_email_threads_by_sender_and_a_duplicate_event_changes_nothing() {
    let h = Harness::new().await;
    let p = practice(&h, "Dogwood Clinic").await;
    let patient = random_email("ann");
    let send = |text: &'static str| {
        json!({"from": format!("Ann Lee <{patient}>"), "to": p.reply.as_str(),
               "subject": "Question", "text": text})
    };
    let first = stand_in(&h, "/_local/email/inbound", send("Do you take walk-ins?")).await;
    assert_eq!(first.status, 202, "{}", first.text);
    assert_eq!(first.json()["result"]["results"], json!(["opened"]));
    let second = stand_in(&h, "/_local/email/inbound", send("And on Sundays?")).await;
    assert_eq!(second.json()["result"]["results"], json!(["threaded"]));

    let rows: Vec<_> = inbox(&h, &p)
        .await
        .into_iter()
        .filter(|r| r["kind"] == "standard")
        .collect();
    assert_eq!(rows.len(), 1, "both emails in one conversation: {rows:?}");
    assert_eq!(rows[0]["unread_count"], 2);
    assert_eq!(rows[0]["preview"], "Question And on Sundays?");
}

/// Issue 10 bug: an inbound message's sender is a contact (`ct_…`), and every reader of
/// messages (the page, one message with `sent_by`, the sync feed's consumer) reads it.
#[tokio::test]
async fn an_inbound_text_is_listed_and_shown_with_its_contact_as_sender() {
    let h = Harness::new().await;
    let p = practice(&h, "Hawthorn Clinic").await;
    let patient = random_phone();
    let contact_id = contact(
        &h,
        &p.staff.token,
        json!({"name": "Dana Whitfield", "phone": patient}),
    )
    .await;
    let opened = text_in(&h, &p, &patient, "Running 10 minutes late").await;
    assert_eq!(opened, "opened");
    let got = h
        .call(
            "GET",
            &format!("/v1/contacts/{contact_id}"),
            None,
            Some(&p.staff.token),
        )
        .await;
    let conversation = got.json()["conversation_ids"][0]
        .as_str()
        .expect("the contact's conversation")
        .to_string();

    let page = h
        .call(
            "GET",
            &format!("/v1/conversations/{conversation}/messages"),
            None,
            Some(&p.staff.token),
        )
        .await;
    assert_eq!(page.status, 200, "{}", page.text);
    let items = page.json()["items"].as_array().cloned().unwrap();
    assert_eq!(items.len(), 1);
    assert_eq!(items[0]["sender_id"], contact_id.as_str());
    assert_eq!(items[0]["direction"], "inbound");
    assert_eq!(items[0]["text"], "Running 10 minutes late");
    assert!(items[0].get("delivery").is_none());
    let message = items[0]["id"].as_str().unwrap();

    let one = h
        .call(
            "GET",
            &format!("/v1/conversations/{conversation}/messages/{message}"),
            None,
            Some(&p.staff.token),
        )
        .await;
    assert_eq!(one.status, 200, "{}", one.text);
    let body = one.json();
    assert_eq!(
        body["sent_by"],
        json!({"id": contact_id, "name": "Dana Whitfield"})
    );
    assert_eq!(body["seen_by"], json!([]));

    // Staff reading it moves their horizon past a message a contact sent.
    let read = h
        .call(
            "POST",
            &format!("/v1/conversations/{conversation}/read"),
            Some(json!({"message_id": message})),
            Some(&p.staff.token),
        )
        .await;
    assert_eq!(read.status, 200, "{}", read.text);
    let one = h
        .call(
            "GET",
            &format!("/v1/conversations/{conversation}/messages/{message}"),
            None,
            Some(&p.staff.token),
        )
        .await;
    assert_eq!(one.json()["seen_by"][0]["id"], p.staff.account_id.as_str());
}
