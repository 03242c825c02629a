//! `GET /v1/org` and `PATCH /v1/org` (API.md "Practices and staff"): each practice gets
//! its own number and reply address at signup (never one another's, even when signing up
//! at the same moment), a practice created while the pool is empty still signs up, and
//! owners/admins change the name and the reminder setting.

use canopy_shared::adapters::dynamo::{get_s, key, keys};
use canopy_tests::Harness;
use serde_json::json;
use std::collections::HashSet;

#[tokio::test]
async fn a_new_practice_shows_its_own_channels_and_the_default_setting() {
    let h = Harness::new().await;
    let owner = h.new_practice("Alder Pediatrics").await;
    let shown = h.call("GET", "/v1/org", None, Some(&owner.token)).await;
    assert_eq!(shown.status, 200, "{}", shown.text);
    let body = shown.json();
    assert_eq!(body["id"], owner.org_id.as_str());
    assert_eq!(body["name"], "Alder Pediatrics");
    assert!(body["sms_number"]
        .as_str()
        .is_some_and(|n| n.starts_with("+1")));
    let reply = body["reply_email"].as_str().unwrap();
    assert!(reply.starts_with("alder-pediatrics-"), "{reply}");
    assert!(reply.ends_with(&format!("@{}", h.app.settings.reply_email_domain)));
    assert_eq!(body["settings"], json!({"unread_reminder_minutes": 60}));
    let keys: HashSet<&str> = body
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(
        keys,
        HashSet::from(["id", "name", "sms_number", "reply_email", "settings"])
    );

    // Teammates read it too; patients and strangers do not.
    let member = h.new_teammate(&owner, "member").await;
    let read = h.call("GET", "/v1/org", None, Some(&member.token)).await;
    assert_eq!(read.status, 200);
    assert_eq!(read.json(), body);
    assert_eq!(h.call("GET", "/v1/org", None, None).await.status, 401);
    let patient = h.new_patient(&owner, "Robin Vale").await;
    assert_eq!(
        h.call("GET", "/v1/org", None, Some(&patient.token))
            .await
            .status,
        403
    );
}

#[tokio::test]
async fn twenty_practices_signing_up_at_once_never_share_a_number_or_address() {
    let h = Harness::new().await;
    let owners = futures::future::join_all((0..20u8).map(|i| {
        let h = &h;
        let letter = char::from(b'A' + i);
        async move { h.new_practice(&format!("Linden Clinic {letter}")).await }
    }))
    .await;
    let shown = futures::future::join_all(
        owners
            .iter()
            .map(|o| h.call("GET", "/v1/org", None, Some(&o.token))),
    )
    .await;
    let numbers: HashSet<String> = shown
        .iter()
        .map(|r| {
            r.json()["sms_number"]
                .as_str()
                .expect("a number")
                .to_string()
        })
        .collect();
    let replies: HashSet<String> = shown
        .iter()
        .map(|r| r.json()["reply_email"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(numbers.len(), 20, "{numbers:?}");
    assert_eq!(replies.len(), 20);
    // Each number's channel item names its practice, and is out of the pool.
    for (owner, reply) in owners.iter().zip(&shown) {
        let number = reply.json()["sms_number"].as_str().unwrap().to_string();
        let item =
            h.db.get_item()
                .table_name(h.app.table())
                .set_key(Some(key(
                    keys::channel_pk("sms", &number),
                    keys::CHANNEL_SK,
                )))
                .consistent_read(true)
                .send()
                .await
                .unwrap()
                .item
                .expect("the number's item");
        assert_eq!(get_s(&item, "org_id"), Some(owner.org_id.as_str()));
        assert!(!item.contains_key("gsi1pk"), "taken out of the pool");
    }
}

#[tokio::test]
async fn owners_and_admins_change_the_name_and_the_reminder_setting() {
    let h = Harness::new().await;
    let owner = h.new_practice("Willow Family Practice").await;
    let patch = |token: String, body: serde_json::Value| {
        let h = &h;
        async move { h.call("PATCH", "/v1/org", Some(body), Some(&token)).await }
    };
    let changed = patch(
        owner.token.clone(),
        json!({"name": "Willow Family Medicine", "settings": {"unread_reminder_minutes": 0}}),
    )
    .await;
    assert_eq!(changed.status, 200, "{}", changed.text);
    assert_eq!(changed.json()["name"], "Willow Family Medicine");
    assert_eq!(changed.json()["settings"]["unread_reminder_minutes"], 0);
    let number = changed.json()["sms_number"].clone();

    // Absent: unchanged. Null: never remind.
    let renamed = patch(owner.token.clone(), json!({"name": "Willow Clinic"})).await;
    assert_eq!(renamed.json()["settings"]["unread_reminder_minutes"], 0);
    let never = patch(
        owner.token.clone(),
        json!({"settings": {"unread_reminder_minutes": null}}),
    )
    .await;
    assert_eq!(never.status, 200, "{}", never.text);
    assert_eq!(
        never.json()["settings"]["unread_reminder_minutes"],
        json!(null)
    );
    assert_eq!(never.json()["name"], "Willow Clinic");
    let week = patch(
        owner.token.clone(),
        json!({"settings": {"unread_reminder_minutes": 10080}}),
    )
    .await;
    assert_eq!(week.json()["settings"]["unread_reminder_minutes"], 10080);
    let nothing = patch(owner.token.clone(), json!({})).await;
    assert_eq!(nothing.status, 200);
    assert_eq!(nothing.json(), week.json());
    assert_eq!(
        week.json()["sms_number"],
        number,
        "channels are not the PATCH's"
    );

    // Bad input: 400 naming the field, and nothing changes.
    for (body, field) in [
        (
            json!({"settings": {"unread_reminder_minutes": 10081}}),
            "settings.unread_reminder_minutes",
        ),
        (
            json!({"settings": {"unread_reminder_minutes": -1}}),
            "settings.unread_reminder_minutes",
        ),
        (
            json!({"settings": {"unread_reminder_minutes": 1.5}}),
            "settings.unread_reminder_minutes",
        ),
        (json!({"name": "Call 202-555-0143 now"}), "name"),
        (json!({"name": "www.willow.example"}), "name"),
        (json!({"name": ""}), "name"),
        (json!({"name": null}), "name"),
        (json!({"settings": null}), "settings"),
    ] {
        let refused = patch(owner.token.clone(), body.clone()).await;
        assert_eq!(refused.status, 400, "{body}: {}", refused.text);
        assert_eq!(refused.json()["error"]["code"], "invalid_field", "{body}");
        assert!(
            refused.json()["error"]["message"]
                .as_str()
                .unwrap()
                .contains(field),
            "{body}: {}",
            refused.text
        );
    }
    for body in [
        json!({"colour": "green"}),
        json!({"settings": {"theme": 1}}),
    ] {
        assert_eq!(patch(owner.token.clone(), body).await.status, 400);
    }
    let after = h.call("GET", "/v1/org", None, Some(&owner.token)).await;
    assert_eq!(after.json(), week.json());

    // Admins may; members and patients may not (and change nothing).
    let admin = h.new_teammate(&owner, "admin").await;
    let by_admin = patch(
        admin.token.clone(),
        json!({"settings": {"unread_reminder_minutes": 15}}),
    )
    .await;
    assert_eq!(by_admin.status, 200, "{}", by_admin.text);
    let member = h.new_teammate(&owner, "member").await;
    let by_member = patch(member.token.clone(), json!({"name": "Mine Now"})).await;
    assert_eq!(by_member.status, 403);
    let patient = h.new_patient(&owner, "Robin Vale").await;
    assert_eq!(
        patch(patient.token.clone(), json!({"name": "Mine Now"}))
            .await
            .status,
        403
    );
    // Another practice's owner changes only their own practice.
    let other = h.new_practice("Elm Clinic").await;
    let theirs = patch(other.token.clone(), json!({"name": "Elm Health"})).await;
    assert_eq!(theirs.json()["id"], other.org_id.as_str());
    let mine = h.call("GET", "/v1/org", None, Some(&owner.token)).await;
    assert_eq!(mine.json()["name"], "Willow Clinic");
    assert_eq!(mine.json()["settings"]["unread_reminder_minutes"], 15);
}
