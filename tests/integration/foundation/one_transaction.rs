//! SECURITY.md: "Multi-item changes are one `TransactWriteItems`." Every route that changes
//! state is called once and its DynamoDB calls are counted: at most one
//! `TransactWriteItems`, never a `BatchWriteItem` (which is not atomic), and any other write
//! is a single-item `PutItem`/`UpdateItem`/`DeleteItem` that stands alone by design: an
//! `Idempotency-Key` claim and its answer, a session's hourly use stamp, or the record of
//! what a send did, which can only be written after the send (an SMS cannot roll back).
//!
//! One exception, by design: invites and resends first spend their send budgets (per
//! practice, per contact, deployment-wide) in an admission transaction of their own, so a
//! refused or failed invite still counts as an attempt, as every rate limit does; the
//! invite itself (invite, conversation, contact listing, audit) is then one transaction.

use canopy_tests::fixtures::{random_email, random_phone};
use canopy_tests::{Harness, Reply};
use serde_json::json;

const SINGLE_ITEM_WRITES: &[&str] = &["PutItem", "UpdateItem", "DeleteItem"];

/// Routes whose send budgets are admitted in a transaction before their own.
const BUDGET_ADMISSION: &[&str] = &["invite", "resend", "secure invite"];

fn assert_one_transaction(route: &str, reply: &Reply, calls: &[String]) {
    assert!(
        reply.status < 300,
        "{route}: {} {}",
        reply.status,
        reply.text
    );
    let transactions = calls.iter().filter(|c| *c == "TransactWriteItems").count();
    let allowed = 1 + usize::from(BUDGET_ADMISSION.contains(&route));
    assert!(
        transactions <= allowed,
        "{route}: {transactions} transactions in {calls:?}"
    );
    assert!(
        !calls.iter().any(|c| c == "BatchWriteItem"),
        "{route}: {calls:?}"
    );
    let writes: Vec<&String> = calls
        .iter()
        .filter(|c| SINGLE_ITEM_WRITES.contains(&c.as_str()))
        .collect();
    // A route's own change is its transaction; standalone single-item writes are the
    // bookkeeping named above, at most two per route.
    assert!(writes.len() <= 2, "{route}: {calls:?}");
}

#[tokio::test]
async fn every_state_changing_route_changes_its_items_in_one_transaction() {
    let (h, owner, patient, conversation) =
        Harness::with_chat("One Tx Clinic", "Una Transact").await;
    let mut checked = 0;
    let mut check = |route: &str, (reply, calls): (Reply, Vec<String>)| {
        assert_one_transaction(route, &reply, &calls);
        checked += 1;
        reply
    };
    let api = h.api(&owner);

    let posted = check(
        "post",
        h.counted(api.post_message(&conversation, "Hi", "tx-1"))
            .await,
    );
    let message = posted.string("id");
    check(
        "read",
        h.counted(h.api(&patient).read(&conversation, &message))
            .await,
    );
    let patch = json!({"subject": "One transaction", "tags": ["tx"]});
    check(
        "patch conversation",
        h.counted(api.patch_conversation(&conversation, patch))
            .await,
    );
    let body = json!({"name": "Tex Action", "phone": random_phone()});
    let contact = check("contact", h.counted(api.create_contact(body)).await).string("id");
    let invite = json!({"contact_id": contact});
    let invite = check("invite", h.counted(api.invite(invite)).await).string("id");
    check("resend", h.counted(api.resend_invite(&invite)).await);
    let standard = json!({"kind": "standard", "contact_id": contact, "channel": "sms"});
    let standard = check(
        "standard conversation",
        h.counted(api.create_conversation(standard)).await,
    );
    check(
        "secure invite",
        h.counted(api.secure_invite(&standard.string("id"))).await,
    );
    let link = check(
        "link",
        h.counted(api.create_link(json!({"label": "Tx desk"})))
            .await,
    );
    let relabel = json!({"label": "Tx front desk"});
    check(
        "patch link",
        h.counted(api.patch_link(&link.string("id"), relabel)).await,
    );
    let email = random_email("tx");
    let member = api.add_member("Tom Tx", &email, "member");
    let member = check("add member", h.counted(member).await).string("id");
    check("remove member", h.counted(api.remove_member(&member)).await);
    let rename = h.call(
        "PATCH",
        "/v1/org",
        Some(json!({"name": "One Tx Clinic II"})),
        Some(&owner.token),
    );
    check("patch org", h.counted(rename).await);
    let upload = json!({"filename": "a.pdf", "content_type": "application/pdf", "size": 100});
    check(
        "reserve attachment",
        h.counted(h.api(&patient).reserve_attachment(&conversation, upload))
            .await,
    );
    let link_code = link.string("code");
    let phone = random_phone();
    let start = json!({"name": "Sig Nup", "phone": phone, "link_code": link_code});
    let challenge = h.signup_start(start).await;
    let code = canopy_tests::moto::latest_sms_code(&phone).unwrap();
    let verify = json!({"challenge_id": challenge, "sms_code": code});
    check(
        "signup verify",
        h.counted(h.public().signup_verify(verify)).await,
    );
    let challenge = h.email_challenge(&owner.email).await;
    let code = canopy_tests::moto::latest_email_code(&owner.email).unwrap();
    let signed_in = check(
        "sign in",
        h.counted(h.public().auth_verify(&challenge, &code)).await,
    );
    let token = signed_in.string("token");
    check(
        "logout",
        h.counted(h.call("POST", "/v1/auth/logout", None, Some(&token)))
            .await,
    );
    assert_eq!(checked, 17);
}
