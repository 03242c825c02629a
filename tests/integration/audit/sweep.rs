//! Every route that reads or writes PHI leaves exactly one audit item per call (HIPAA
//! 164.312(b); SECURITY.md "every read or write of PHI leaves an audit item"). Each route
//! is called once, in turn, and the owner's trail must then hold one more item with the
//! route's action, by that caller, naming the object. `trail.rs` checks what an item
//! carries (role, request id, outcome, no PHI); this checks that no route forgot to write.

use super::all_pages;
use canopy_tests::fixtures::{random_email, random_phone};
use canopy_tests::{Harness, Reply};
use serde_json::json;

/// How many items of the owner's trail have `action`, `actor` and name `target`.
async fn audited(h: &Harness, owner: &str, action: &str, actor: &str, target: &str) -> usize {
    // An empty target: the action names no object (a search or an inbox page names its
    // filters instead).
    let (items, _) = all_pages(h, owner, "?limit=100").await;
    items
        .iter()
        // An empty actor: the event had none (a text from a patient's phone).
        .filter(|i| i["action"] == action)
        .filter(|i| match actor {
            "" => i["actor_id"].is_null(),
            _ => i["actor_id"] == actor,
        })
        .filter(|i| {
            target.is_empty()
                || i["targets"]
                    .as_array()
                    .is_some_and(|t| t.iter().any(|x| x == target))
        })
        .count()
}

/// The practice, its people and objects, and a counter of the calls checked.
struct Sweep<'h> {
    h: &'h Harness,
    owner_token: String,
    /// The patient's account id.
    patient: String,
    checked: Vec<&'static str>,
}

impl Sweep<'_> {
    /// Items with `action` by `actor` naming `target`: in the practice's trail, or for a
    /// patient among the items kept without a practice.
    async fn count(&self, action: &str, actor: &str, target: &str) -> usize {
        if !actor.starts_with(&self.patient) {
            return audited(self.h, &self.owner_token, action, actor, target).await;
        }
        let items = self.h.stored_unpracticed_audit(actor).await;
        items
            .iter()
            .filter(|(a, t)| a == action && (target.is_empty() || t.iter().any(|x| x == target)))
            .count()
    }

    /// Runs `call` and asserts it left exactly one more `action` item by `actor` naming
    /// `target`; returns the call's answer.
    async fn expect(
        &mut self,
        action: &'static str,
        actor: &str,
        target: &str,
        call: impl std::future::Future<Output = Reply>,
    ) -> Reply {
        let before = self.count(action, actor, target).await;
        let reply = call.await;
        assert!(
            reply.status < 300,
            "{action}: {} {}",
            reply.status,
            reply.text
        );
        let after = self.count(action, actor, target).await;
        assert_eq!(after, before + 1, "{action} by {actor} on {target}");
        self.checked.push(action);
        reply
    }
}

#[tokio::test]
async fn every_phi_route_leaves_one_audit_item_naming_its_caller_and_object() {
    let (h, owner, patient, conv) = Harness::with_chat("Sweep Clinic", "Sue Sweep").await;
    let admin = h.new_teammate(&owner, "admin").await;
    let mut s = Sweep {
        owner_token: owner.token.clone(),
        h: &h,
        patient: patient.account_id.clone(),
        checked: Vec::new(),
    };
    let (o, a) = (owner.account_id.as_str(), admin.account_id.as_str());
    let org = owner.org_id.as_str();

    // Contacts and invites.
    let api = h.api(&admin);
    let phone = random_phone();
    let body = json!({"name": "Sam Sweep", "phone": phone});
    let contact = s
        .expect_new("contact.create", a, api.create_contact(body))
        .await
        .string("id");
    s.expect("contact.search", a, "", api.contacts("?q=sam"))
        .await;
    s.expect("contact.read", a, &contact, api.contact(&contact))
        .await;
    let invite = s
        .expect(
            "invite.create",
            a,
            &contact,
            api.invite(json!({"contact_id": contact})),
        )
        .await;
    let invite_id = invite.string("id");
    s.expect(
        "invite.resend",
        a,
        &invite_id,
        api.resend_invite(&invite_id),
    )
    .await;

    // Conversations and messages, staff side.
    let opened = json!({"kind": "standard", "contact_id": contact, "channel": "sms"});
    let standard = s
        .expect_new("conversation.create", a, api.create_conversation(opened))
        .await
        .string("id");
    let org_reply = h.call("GET", "/v1/org", None, Some(&admin.token)).await;
    let number = org_reply.string("sms_number");
    let text = json!({"from": phone, "to": number, "body": "Thanks, see you Tuesday"});
    let inbound = h.call("POST", "/_local/sms/inbound", Some(text), None);
    s.expect("message.inbound", "", &standard, inbound).await;
    s.expect("inbox.read", a, "", api.inbox("")).await;
    s.expect("conversation.read", a, &conv, api.conversation(&conv))
        .await;
    let patch = json!({"subject": "Sweep follow-up"});
    s.expect(
        "conversation.update",
        a,
        &conv,
        api.patch_conversation(&conv, patch),
    )
    .await;
    let posted = s
        .expect(
            "message.post",
            a,
            &conv,
            api.post_message(&conv, "Sweep", "sweep-1"),
        )
        .await;
    let message = posted.string("id");
    s.expect("messages.list", a, &conv, api.messages(&conv, ""))
        .await;
    s.expect("message.read", a, &message, api.message(&conv, &message))
        .await;
    let sync = h.call("GET", "/v1/sync", None, Some(&admin.token));
    s.expect("sync.read", a, a, sync).await;

    // The patient's side.
    let p = patient.account_id.as_str();
    let papi = h.api(&patient);
    s.expect(
        "conversation.read_receipt",
        p,
        &conv,
        papi.read(&conv, &message),
    )
    .await;
    let upload = json!({"filename": "rash.jpg", "content_type": "image/jpeg", "size": 500});
    let reserved = s
        .expect(
            "attachment.reserve",
            p,
            &conv,
            papi.reserve_attachment(&conv, upload),
        )
        .await;
    let attachment = reserved.string("id");
    let path = format!("/v1/conversations/{conv}/attachments/{attachment}");
    let read = h.call("GET", &path, None, Some(&patient.token));
    s.expect("attachment.read", p, &attachment, read).await;

    // The team and the practice.
    let email = random_email("sweep");
    let added = s
        .expect_new(
            "member.add",
            o,
            h.api(&owner).add_member("Tess Sweep", &email, "member"),
        )
        .await;
    let teammate = added.string("id");
    s.expect(
        "member.remove",
        o,
        &teammate,
        h.api(&owner).remove_member(&teammate),
    )
    .await;
    let renamed = json!({"name": "Sweep Clinic Renamed"});
    let patch_org = h.call("PATCH", "/v1/org", Some(renamed), Some(&owner.token));
    s.expect("org.update", o, org, patch_org).await;

    // Links, sign-ins and link signups.
    let link = json!({"label": "Sweep desk"});
    let created = s
        .expect_new("link.create", o, h.api(&owner).create_link(link))
        .await;
    let (link_id, link_code) = (created.string("id"), created.string("code"));
    let relabel = h
        .api(&owner)
        .patch_link(&link_id, json!({"label": "Sweep front desk"}));
    s.expect("link.update", o, &link_id, relabel).await;
    let challenge = h.email_challenge(&admin.email).await;
    let code = canopy_tests::moto::latest_email_code(&admin.email).expect("code emailed");
    let verify = h.public().auth_verify(&challenge, &code);
    s.expect("session.create", a, a, verify).await;
    let joined = h
        .link_signup(&link_code, "Sid Sweep", &random_phone(), None)
        .await;
    let pairings = audited(&h, &owner.token, "signup.pair", &joined.account_id, "").await;
    assert_eq!(pairings, 1, "one signup.pair by the new patient");
    s.checked.push("signup.pair");

    assert_eq!(s.checked.len(), 24, "{:?}", s.checked);
}

impl Sweep<'_> {
    /// As [`Sweep::expect`] for a creating call: the target is the id the answer names.
    async fn expect_new(
        &mut self,
        action: &'static str,
        actor: &str,
        call: impl std::future::Future<Output = Reply>,
    ) -> Reply {
        let reply = call.await;
        assert!(
            reply.status < 300,
            "{action}: {} {}",
            reply.status,
            reply.text
        );
        let id = reply.string("id");
        let after = self.count(action, actor, &id).await;
        assert_eq!(after, 1, "{action} by {actor} on the new {id}");
        self.checked.push(action);
        reply
    }
}
