//! Reading the trail: what an owner sees, filters and paging, the read's own item, who is
//! refused, and what never appears in an audit item.

use super::{all_pages, audit};
use canopy_tests::fixtures::conversations::STAFF_AUTHENTICATION;
use canopy_tests::fixtures::random_phone;
use canopy_tests::Harness;
use serde_json::{json, Value};

fn actions(items: &[Value]) -> Vec<&str> {
    items.iter().filter_map(|i| i["action"].as_str()).collect()
}

fn names(item: &Value, id: &str) -> bool {
    item["targets"]
        .as_array()
        .is_some_and(|t| t.iter().any(|x| x == id))
}

#[tokio::test]
async fn owners_read_sign_ins_invites_and_message_reads_with_filters_and_paging() {
    let (h, owner, patient, conv) = Harness::with_chat("Audit Clinic", "Pat Audit").await;
    let admin = h.new_teammate(&owner, "admin").await; // its first sign-in: member.join
    let _again = h.sign_in_by_email(&admin.email).await; // session.create
    let phone = random_phone();
    let (invite, _token) = h.invite_contact(&owner, &phone, None).await;
    let msg = h
        .post_id(&owner, &conv, "Your results are in.", "c-1")
        .await;
    let read = h.api(&patient).message(&conv, &msg).await;
    assert_eq!(read.status, 200, "{}", read.text);
    let read = h.api(&admin).message(&conv, &msg).await;
    assert_eq!(read.status, 200, "{}", read.text);

    // The whole trail, newest first: the admin's sign-in, the invite, the message post and
    // the admin's read of it, each with who, role, targets, request and outcome.
    let first = audit(&h, &owner.token, "?limit=100").await;
    assert_eq!(first.status, 200, "{}", first.text);
    let items = first.items();
    let sign_in = items
        .iter()
        .find(|i| i["action"] == "session.create" && i["actor_id"] == admin.account_id)
        .unwrap_or_else(|| panic!("no sign-in in {items:?}"));
    assert_eq!(sign_in["role"], "admin");
    assert_eq!(sign_in["outcome"], "ok");
    assert!(items.iter().any(|i| i["action"] == "invite.create"
        && i["actor_id"] == owner.account_id
        && names(i, invite["id"].as_str().unwrap())));
    let message_read = items
        .iter()
        .find(|i| i["action"] == "message.read" && i["actor_id"] == admin.account_id)
        .unwrap_or_else(|| panic!("no message read in {items:?}"));
    assert!(names(message_read, &msg) && names(message_read, &conv));
    assert!(message_read["request_id"].is_string());
    let times: Vec<&str> = items.iter().map(|i| i["at"].as_str().unwrap()).collect();
    let mut sorted = times.clone();
    sorted.sort_by(|a, b| b.cmp(a));
    assert_eq!(times, sorted, "newest first");

    // By actor: only what the admin did.
    let by_admin = audit(&h, &owner.token, &format!("?actor={}", admin.account_id)).await;
    assert_eq!(by_admin.status, 200, "{}", by_admin.text);
    let by_admin = by_admin.items();
    assert!(by_admin.len() >= 2, "{by_admin:?}");
    assert!(by_admin.iter().all(|i| i["actor_id"] == admin.account_id));
    assert!(actions(&by_admin).contains(&"message.read"));
    assert!(actions(&by_admin).contains(&"session.create"));

    // By target: only items naming the message (the post and the reads).
    let by_msg = audit(&h, &owner.token, &format!("?target={msg}")).await;
    assert_eq!(by_msg.status, 200, "{}", by_msg.text);
    let by_msg = by_msg.items();
    assert!(by_msg.iter().all(|i| names(i, &msg)), "{by_msg:?}");
    assert!(actions(&by_msg).contains(&"message.post"));
    assert!(actions(&by_msg).contains(&"message.read"));

    // By time: from the invite on, nothing earlier (the admin's sign-in came before it).
    let invite_at = items
        .iter()
        .find(|i| i["action"] == "invite.create")
        .unwrap()["at"]
        .as_str()
        .unwrap()
        .to_string();
    let since = audit(&h, &owner.token, &format!("?from={invite_at}&limit=100")).await;
    assert_eq!(since.status, 200, "{}", since.text);
    let since = since.items();
    assert!(since
        .iter()
        .all(|i| i["at"].as_str().unwrap() >= invite_at.as_str()));
    assert!(!since
        .iter()
        .any(|i| i["action"] == "session.create" && i["actor_id"] == admin.account_id));
    let until = audit(&h, &owner.token, &format!("?to={invite_at}&limit=100")).await;
    assert!(until
        .items()
        .iter()
        .all(|i| i["at"].as_str().unwrap() <= invite_at.as_str()));

    // Paging: pages of 2 up to a fixed time give exactly the one-page answer, in order, and
    // each page is one Query plus the read's own PutItem.
    let to = items[0]["at"].as_str().unwrap().to_string();
    let whole = audit(&h, &owner.token, &format!("?to={to}&limit=100")).await;
    let whole: Vec<Value> = whole.items().into_iter().map(|i| i["id"].clone()).collect();
    let (paged, pages) = all_pages(&h, &owner.token, &format!("?to={to}&limit=2")).await;
    let paged: Vec<Value> = paged.into_iter().map(|i| i["id"].clone()).collect();
    assert_eq!(paged, whole);
    assert!(
        pages >= whole.len() / 2,
        "{pages} pages for {}",
        whole.len()
    );
    let (page, ops) = h
        .counted(audit(&h, &owner.token, &format!("?to={to}&limit=2")))
        .await;
    assert_eq!(page.status, 200);
    let n = STAFF_AUTHENTICATION.len();
    assert_eq!(
        ops[..n],
        STAFF_AUTHENTICATION,
        "authentication first: {ops:?}"
    );
    let mut ops = ops[n..].to_vec();
    ops.sort();
    assert_eq!(
        ops,
        ["PutItem", "Query"],
        "one Query per page, plus the read's audit item"
    );
    let (_, ops) = h
        .counted(audit(&h, &owner.token, &format!("?target={msg}")))
        .await;
    assert_eq!(
        ops[STAFF_AUTHENTICATION.len()..]
            .iter()
            .filter(|o| *o == "Query")
            .count(),
        1
    );
}

#[tokio::test]
async fn reading_the_trail_leaves_an_audit_item_naming_its_filters() {
    let (h, owner) = Harness::with_practice("Audit Reads").await;
    let admin = h.new_teammate(&owner, "admin").await;
    let conv = format!("conv_{}", ulid::Ulid::new());
    let read = audit(
        &h,
        &admin.token,
        &format!("?actor={}&target={conv}", owner.account_id),
    )
    .await;
    assert_eq!(read.status, 200, "{}", read.text);
    let trail = audit(&h, &owner.token, &format!("?actor={}", admin.account_id)).await;
    let item = trail
        .items()
        .into_iter()
        .find(|i| i["action"] == "audit.read")
        .unwrap_or_else(|| panic!("the read was not audited: {}", trail.text));
    assert_eq!(item["role"], "admin");
    assert_eq!(item["outcome"], "ok");
    assert!(names(&item, &owner.account_id) && names(&item, &conv));
}

#[tokio::test]
async fn members_patients_and_other_practices_see_nothing_of_the_trail() {
    let (h, owner, patient, conv) = Harness::with_chat("Audit Private", "Pat Private").await;
    let msg = h.post_id(&owner, &conv, "See you Tuesday.", "c-1").await;
    let member = h.new_teammate(&owner, "member").await;

    let refused = audit(&h, &member.token, "").await;
    assert_eq!(refused.status, 403, "{}", refused.text);
    assert_eq!(refused.error_code(), "forbidden");
    let refused = audit(&h, &patient.token, "").await;
    assert_eq!(refused.status, 403, "{}", refused.text);
    assert_eq!(refused.error_code(), "forbidden");
    let anonymous = h.call("GET", "/v1/audit", None, None).await;
    assert_eq!(anonymous.status, 401);

    // The member's attempt is in the trail, as denied.
    let by_member = audit(&h, &owner.token, &format!("?actor={}", member.account_id)).await;
    assert!(by_member
        .items()
        .iter()
        .any(|i| i["action"] == "audit.read" && i["outcome"] == "denied"));

    // Another practice's owner reads their own trail only, whatever the filters name.
    let other = h.new_practice("Elsewhere Clinic").await;
    let (theirs, _) = all_pages(&h, &other.token, "?limit=100").await;
    let text = serde_json::to_string(&theirs).unwrap();
    for id in [
        &owner.account_id,
        &owner.org_id,
        &conv,
        &msg,
        &member.account_id,
    ] {
        assert!(
            !text.contains(id.as_str()),
            "{id} leaked to another practice"
        );
    }
    for query in [
        format!("?actor={}", owner.account_id),
        format!("?target={conv}"),
        format!("?target={msg}"),
    ] {
        let r = audit(&h, &other.token, &query).await;
        assert_eq!(r.status, 200, "{}", r.text);
        // Only their own reads of their trail, which name the filter they used.
        assert!(
            r.items()
                .iter()
                .all(|i| i["action"] == "audit.read" && i["actor_id"] == other.account_id),
            "{query}: {}",
            r.text
        );
    }
}

#[tokio::test]
async fn audit_items_never_carry_names_contact_details_or_message_text() {
    let (h, owner, _patient, conv) = Harness::with_chat("Audit Phi", "Pat Phi").await;
    let phone = random_phone();
    let email = canopy_tests::fixtures::random_email("phi");
    let contact = h
        .new_contact(&owner, "Zelda Quintessa", Some(&phone), Some(&email))
        .await;
    let id = contact["id"].as_str().unwrap();
    let read = h.api(&owner).contact(id).await;
    assert_eq!(read.status, 200);
    let search = h.api(&owner).contacts("?q=Zelda").await;
    assert_eq!(search.status, 200);
    let invite = h.api(&owner).invite(json!({ "contact_id": id })).await;
    assert_eq!(invite.status, 201, "{}", invite.text);
    let token = canopy_tests::fixtures::latest_invite_token_sms(&phone).unwrap();
    let text = "Your biopsy came back benign";
    let msg = h.post_id(&owner, &conv, text, "c-phi").await;
    assert_eq!(h.api(&owner).message(&conv, &msg).await.status, 200);

    // What the API answers, and every stored audit item of the practice (read straight
    // from the table's index, whatever the route chooses to show).
    let (items, _) = all_pages(&h, &owner.token, "?limit=100").await;
    assert!(items.len() >= 6, "{items:?}");
    let stored =
        h.db.query()
            .table_name(h.table())
            .index_name("GSI1")
            .key_condition_expression("gsi1pk = :p")
            .expression_attribute_values(
                ":p",
                aws_sdk_dynamodb::types::AttributeValue::S(format!("AUDIT#{}", owner.org_id)),
            )
            .send()
            .await
            .unwrap();
    assert!(stored.items().len() >= items.len());
    let stored = format!("{:?}", stored.items());
    let answered = serde_json::to_string(&items).unwrap();
    let digits = phone.trim_start_matches('+');
    for secret in [
        "Zelda",
        "Quintessa",
        "Pat Phi",
        "Audit Phi",
        "Dr. Owner",
        email.as_str(),
        digits,
        text,
        token.as_str(),
        owner.token.as_str(),
    ] {
        assert!(!answered.contains(secret), "{secret} in the answer");
        assert!(!stored.contains(secret), "{secret} in an audit item");
    }
}

#[tokio::test]
async fn bad_filters_are_400_naming_the_field() {
    let (h, owner) = Harness::with_practice("Audit Filters").await;
    for (query, field) in [
        ("?from=yesterday", "from"),
        ("?to=2026-13-01T00:00:00Z", "to"),
        ("?from=2026-11-30T00:00:00Z&to=2026-11-01T00:00:00Z", "from"),
        ("?actor=ct_01KAAAAAAAAAAAAAAAAAAAAAAA", "actor"),
        ("?actor=acct_nope", "actor"),
        ("?target=Zelda", "target"),
        ("?target=conv_01KAAAAAAAAAAAAAAAAAAAAAAA%20OR%201", "target"),
        ("?limit=0", "limit"),
        ("?limit=101", "limit"),
        ("?cursor=", "cursor"),
    ] {
        let r = audit(&h, &owner.token, query).await;
        assert_eq!(r.status, 400, "{query}: {}", r.text);
        assert_eq!(r.error_code(), "invalid_field", "{query}");
        assert!(r.error_message().starts_with(field), "{query}: {}", r.text);
    }
}
