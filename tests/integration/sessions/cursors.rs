//! Forged page cursors (issue 12.7): every cursor-taking list (staff inbox, patient inbox,
//! messages, contact search) refuses a cursor that is not exactly a key its own query could
//! have returned with 400 `invalid_field` (never a 500, never a raw start key passed to
//! DynamoDB), and real cursors still page through every item exactly once.

use base64::Engine;
use canopy_tests::{Harness, Reply};
use serde_json::{json, Value};

/// A cursor as the server encodes one: URL-safe base64 of a JSON object.
fn forge(key: Value) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(key.to_string())
}

fn assert_bad_cursor(reply: &Reply, what: &str) {
    assert_eq!(reply.status, 400, "{what}: {}", reply.text);
    assert_eq!(reply.error_code(), "invalid_field", "{what}");
    assert!(reply.error_message().starts_with("cursor"), "{what}");
}

/// Follows `next_cursor` from the first page; every id seen, in order.
async fn all_pages<F, Fut>(first: Reply, mut next: F) -> Vec<String>
where
    F: FnMut(String) -> Fut,
    Fut: std::future::Future<Output = Reply>,
{
    let mut page = first;
    let mut ids = Vec::new();
    loop {
        assert_eq!(page.status, 200, "{}", page.text);
        ids.extend(page.ids());
        match page.json()["next_cursor"].as_str() {
            Some(c) => page = next(c.to_string()).await,
            None => return ids,
        }
    }
}

/// The cursor that `reply` hands out (panics without one).
fn next_cursor(reply: &Reply) -> String {
    reply.json()["next_cursor"]
        .as_str()
        .unwrap_or_else(|| panic!("no next_cursor in {}", reply.text))
        .to_string()
}

fn decoded(cursor: &str) -> Value {
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(cursor)
        .unwrap();
    serde_json::from_slice(&bytes).unwrap()
}

#[tokio::test]
async fn forged_inbox_cursors_are_refused_and_real_ones_page() {
    let (h, owner, patient, conv) = Harness::with_chat("Cursor Clinic", "Cy Ursor").await;
    let second = h
        .new_conversation(&owner, &[&patient.contact_id], None)
        .await;
    let third = h
        .new_conversation(&owner, &[&patient.contact_id], None)
        .await;
    let other = h.new_practice("Other Cursor Clinic").await;

    // Real cursors: three pages of one, newest first, each conversation once.
    let first = h.api(&owner).inbox("?limit=1").await;
    let real = next_cursor(&first);
    let (hr, o) = (&h, &owner);
    let seen = all_pages(first, |c| async move {
        hr.api(o).inbox(&format!("?limit=1&cursor={c}")).await
    })
    .await;
    assert_eq!(seen, [third.clone(), second.clone(), conv.clone()]);

    let key = decoded(&real);
    let inbox = format!("ORG#{}#INBOX", owner.org_id);
    let with = |field: &str, value: &str| {
        let mut k = key.clone();
        k[field] = json!(value);
        forge(k)
    };
    let forged = [
        // The attack: the index key alone (a 500 before).
        (
            "index key only",
            forge(json!({"gsi1pk": inbox, "gsi1sk": "x"})),
        ),
        (
            "table key only",
            forge(json!({"pk": key["pk"], "sk": key["sk"]})),
        ),
        ("sort key not an inbox key", with("gsi1sk", "x")),
        ("empty sort key", with("gsi1sk", "")),
        (
            "activity not 13 digits",
            with("gsi1sk", &format!("17#{second}")),
        ),
        (
            "another practice's inbox",
            with("gsi1pk", &format!("ORG#{}#INBOX", other.org_id)),
        ),
        (
            "table key of another conversation",
            with("pk", &format!("CONV#{conv}")),
        ),
        ("table key not a meta", with("sk", "P#x")),
        ("an extra attribute", {
            let mut k = key.clone();
            k["role"] = json!("owner");
            forge(k)
        }),
        ("a number for a key", {
            let mut k = key.clone();
            k["gsi1sk"] = json!(17);
            forge(k)
        }),
        ("an array", forge(json!(["a", "b"]))),
        (
            "not JSON",
            base64::engine::general_purpose::URL_SAFE_NO_PAD.encode("gsi1pk"),
        ),
        ("not base64", "%%%".to_string()),
        ("too long", "A".repeat(4096)),
    ];
    for (what, cursor) in &forged {
        let reply = h.api(&owner).inbox(&format!("?cursor={cursor}")).await;
        assert_bad_cursor(&reply, what);
    }
    // Another practice cannot resume this practice's inbox with its cursor.
    let reply = h.api(&other).inbox(&format!("?cursor={real}")).await;
    assert_bad_cursor(&reply, "another practice's staff with a real cursor");

    // The patient's inbox is their own rows: the staff cursor, or a row of somebody
    // else's, is refused; their own cursors page.
    h.settle().await;
    let reply = h.api(&patient).inbox(&format!("?cursor={real}")).await;
    assert_bad_cursor(&reply, "a staff inbox cursor in a patient inbox");
    let first = h.api(&patient).inbox("?limit=1").await;
    let own = decoded(&next_cursor(&first));
    let (hr, p) = (&h, &patient);
    let seen = all_pages(first, |c| async move {
        hr.api(p).inbox(&format!("?limit=1&cursor={c}")).await
    })
    .await;
    assert_eq!(seen, [third, second, conv]);
    let mut foreign = own.clone();
    foreign["sk"] = json!(format!("P#{}", owner.account_id));
    let reply = h
        .api(&patient)
        .inbox(&format!("?cursor={}", forge(foreign)))
        .await;
    assert_bad_cursor(&reply, "another participant's row");
    let mut index_only = own.clone();
    index_only.as_object_mut().unwrap().remove("pk");
    index_only.as_object_mut().unwrap().remove("sk");
    let reply = h
        .api(&patient)
        .inbox(&format!("?cursor={}", forge(index_only)))
        .await;
    assert_bad_cursor(&reply, "the patient inbox's index key only");
}

#[tokio::test]
async fn forged_messages_cursors_are_refused_and_real_ones_page() {
    let (h, owner, patient, conv) = Harness::with_chat("Paging Clinic", "Pat Ging").await;
    let mut posted = Vec::new();
    for i in 0..3 {
        posted.push(
            h.post_id(&owner, &conv, &format!("m{i}"), &format!("cur-{i}"))
                .await,
        );
    }
    posted.reverse();
    let first = h.api(&patient).messages(&conv, "?limit=1").await;
    let real = next_cursor(&first);
    let (hr, p, cv) = (&h, &patient, &conv);
    let seen = all_pages(first, |c| async move {
        hr.api(p)
            .messages(cv, &format!("?limit=1&cursor={c}"))
            .await
    })
    .await;
    assert_eq!(seen, posted);

    let pk = format!("CONV#{conv}");
    let other_conv = h
        .new_conversation(&owner, &[&patient.contact_id], None)
        .await;
    let forged = [
        // Sort keys outside the Query's `BETWEEN M# AND M#~` (a 500 before).
        (
            "after every message",
            forge(json!({"pk": pk, "sk": "M#~~"})),
        ),
        ("a receipt key", forge(json!({"pk": pk, "sk": "R#x"}))),
        ("the meta", forge(json!({"pk": pk, "sk": "#META"}))),
        ("the bare prefix", forge(json!({"pk": pk, "sk": "M#"}))),
        (
            "not a message id",
            forge(json!({"pk": pk, "sk": "M#msg_x"})),
        ),
        (
            "a lower-case message id",
            forge(json!({"pk": pk, "sk": format!("M#{}", posted[0].to_lowercase())})),
        ),
        (
            "another conversation",
            forge(json!({"pk": format!("CONV#{other_conv}"), "sk": format!("M#{}", posted[0])})),
        ),
        ("no sort key", forge(json!({"pk": pk}))),
        (
            "an index key too",
            forge(
                json!({"pk": pk, "sk": format!("M#{}", posted[0]), "gsi1pk": "x", "gsi1sk": "y"}),
            ),
        ),
    ];
    for (what, cursor) in &forged {
        let reply = h
            .api(&patient)
            .messages(&conv, &format!("?cursor={cursor}"))
            .await;
        assert_bad_cursor(&reply, what);
    }
    // A cursor of this conversation does not resume another one.
    let reply = h
        .api(&patient)
        .messages(&other_conv, &format!("?cursor={real}"))
        .await;
    assert_bad_cursor(&reply, "a cursor of another conversation");
}

#[tokio::test]
async fn forged_contact_search_cursors_are_refused_and_real_ones_page() {
    let (h, owner) = Harness::with_practice("Search Clinic").await;
    let mut ids = Vec::new();
    for name in ["Quill Aa", "Quill Bb", "Quill Cc"] {
        let c = h
            .new_contact(
                &owner,
                name,
                None,
                Some(&canopy_tests::fixtures::random_email("q")),
            )
            .await;
        ids.push(c["id"].as_str().unwrap().to_string());
    }
    let first = h.api(&owner).contacts("?q=quill&limit=1").await;
    let real = next_cursor(&first);
    let (hr, o) = (&h, &owner);
    let seen = all_pages(first, |c| async move {
        hr.api(o)
            .contacts(&format!("?q=quill&limit=1&cursor={c}"))
            .await
    })
    .await;
    assert_eq!(seen, ids);

    let key = decoded(&real);
    let with = |field: &str, value: String| {
        let mut k = key.clone();
        k[field] = json!(value);
        forge(k)
    };
    let other = h.new_practice("Other Search Clinic").await;
    let forged = [
        (
            "index key only",
            forge(json!({"gsi1pk": key["gsi1pk"], "gsi1sk": key["gsi1sk"]})),
        ),
        (
            "outside the search prefix",
            with("gsi1sk", format!("n#zz#{}", ids[0])),
        ),
        ("no contact id", with("gsi1sk", "n#quill aa".to_string())),
        (
            "another contact's table key",
            with("sk", format!("CONTACT#{}", ids[2])),
        ),
        (
            "another practice's partition",
            with("gsi1pk", format!("ORG#{}#CT", other.org_id)),
        ),
    ];
    for (what, cursor) in &forged {
        let reply = h
            .api(&owner)
            .contacts(&format!("?q=quill&cursor={cursor}"))
            .await;
        assert_bad_cursor(&reply, what);
    }
    // The same cursor under another search (another prefix) is refused too.
    let reply = h
        .api(&owner)
        .contacts(&format!("?q=zed&cursor={real}"))
        .await;
    assert_bad_cursor(&reply, "a cursor of another search");
}
