//! Every route × every role (SECURITY.md: "every handler checks tenant and object").
//!
//! Practice A has an owner, an admin, a member and a patient in a secure conversation, with
//! one of each object a route can name (teammate, link, contact, invite, conversation,
//! message, attachment, session, device). Practice B has an owner and a patient of its own.
//! Every app route the template declares must appear in [`RULES`] (a new route fails this
//! test until someone decides who may call it). Then each route is called with A's object
//! ids and a valid body by every caller its rule does not allow, and must be refused (403
//! or 404) without changing anything: A's state read before and after the sweep is equal.
//! Finally every allowed caller's read (`GET`) succeeds, and B's own-scoped reads (inbox,
//! contacts, links, members, sessions, sync) never show an id of A's. Link visibility is
//! swept too: a teammate outside a link's members is refused on every route naming a
//! conversation routed to that link, and does not see it in the inbox.
//!
//! Area tests assert the exact status of each refusal; this sweep makes sure none is
//! missing.

use canopy_local::template::Api;
use canopy_tests::fixtures::random_email;
use canopy_tests::{Harness, Reply};
use serde_json::{json, Value};
use std::collections::BTreeMap;

/// Who calls.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Who {
    Owner,
    Admin,
    Member,
    Patient,
    OtherOwner,
    OtherPatient,
}
use Who::*;

const EVERYONE: &[Who] = &[Owner, Admin, Member, Patient, OtherOwner, OtherPatient];

/// Who may call a route, and on what.
enum Rule {
    /// No token needed (`foundation::deny_by_default` pins the list).
    Public,
    /// Acts on the caller's own account or practice: these callers may, the rest get 403.
    OwnScope(&'static [Who]),
    /// Names one of A's objects: only these callers may; everyone else 403 or 404.
    AObject(&'static [Who]),
}
use Rule::*;

const A_STAFF: &[Who] = &[Owner, Admin, Member];
const A_ADMINS: &[Who] = &[Owner, Admin];
const A_PARTICIPANTS: &[Who] = &[Owner, Admin, Member, Patient];
const ANY_STAFF: &[Who] = &[Owner, Admin, Member, OtherOwner];
const ANY_ADMINS: &[Who] = &[Owner, Admin, OtherOwner];

/// Every app route and who may call it (bodies: [`World::body`]).
const RULES: &[(&str, Rule)] = &[
    ("POST /v1/orgs", Public),
    ("POST /v1/auth/start", Public),
    ("POST /v1/auth/verify", Public),
    ("POST /v1/signup/start", Public),
    ("POST /v1/signup/verify", Public),
    ("GET /v1/public/links/{code}", Public),
    ("POST /v1/auth/logout", OwnScope(EVERYONE)),
    ("GET /v1/sessions", OwnScope(EVERYONE)),
    ("DELETE /v1/sessions", OwnScope(EVERYONE)),
    ("DELETE /v1/sessions/{id}", AObject(&[Owner])),
    ("POST /v1/members", OwnScope(ANY_ADMINS)),
    ("GET /v1/members", OwnScope(ANY_STAFF)),
    ("DELETE /v1/members/{id}", AObject(A_ADMINS)),
    ("GET /v1/org", OwnScope(ANY_STAFF)),
    ("PATCH /v1/org", OwnScope(ANY_ADMINS)),
    ("POST /v1/links", OwnScope(ANY_ADMINS)),
    ("GET /v1/links", OwnScope(ANY_STAFF)),
    ("PATCH /v1/links/{id}", AObject(A_ADMINS)),
    ("POST /v1/contacts", OwnScope(ANY_STAFF)),
    ("GET /v1/contacts", OwnScope(ANY_STAFF)),
    ("GET /v1/contacts/{id}", AObject(A_STAFF)),
    ("POST /v1/invites", AObject(A_STAFF)),
    ("POST /v1/invites/{id}/resend", AObject(A_STAFF)),
    ("POST /v1/conversations", AObject(A_STAFF)),
    ("GET /v1/conversations", OwnScope(EVERYONE)),
    ("GET /v1/conversations/{id}", AObject(A_PARTICIPANTS)),
    ("PATCH /v1/conversations/{id}", AObject(A_STAFF)),
    (
        "POST /v1/conversations/{id}/secure-invite",
        AObject(A_STAFF),
    ),
    (
        "POST /v1/conversations/{id}/confirm-identity",
        AObject(A_STAFF),
    ),
    (
        "POST /v1/conversations/{id}/messages",
        AObject(A_PARTICIPANTS),
    ),
    (
        "GET /v1/conversations/{id}/messages",
        AObject(A_PARTICIPANTS),
    ),
    ("POST /v1/conversations/{id}/read", AObject(A_PARTICIPANTS)),
    (
        "GET /v1/conversations/{id}/messages/{message_id}",
        AObject(A_PARTICIPANTS),
    ),
    (
        "POST /v1/conversations/{id}/attachments",
        AObject(A_PARTICIPANTS),
    ),
    (
        "GET /v1/conversations/{id}/attachments/{attachment_id}",
        AObject(A_PARTICIPANTS),
    ),
    ("POST /v1/devices", OwnScope(EVERYONE)),
    ("DELETE /v1/devices/{id}", AObject(&[Patient])),
    ("GET /v1/sync", OwnScope(EVERYONE)),
    ("GET /v1/audit", OwnScope(ANY_ADMINS)),
];

/// An APNs-shaped device token no other test uses (a device is keyed by its token).
fn unique_ios_token() -> String {
    canopy_shared::domain::secrets::token_hash(&ulid::Ulid::new().to_string())
}

/// The world the sweep runs in: tokens by caller, and A's object ids.
struct World {
    h: Harness,
    tokens: BTreeMap<&'static str, String>,
    ids: BTreeMap<&'static str, String>,
}

impl World {
    async fn build() -> World {
        let (h, owner, patient, conversation) =
            Harness::with_chat("Matrix Clinic A", "Mara Moss").await;
        let admin = h.new_teammate(&owner, "admin").await;
        let member = h.new_teammate(&owner, "member").await;
        let removable = h.new_teammate(&owner, "member").await;
        let other_owner = h.new_practice("Matrix Clinic B").await;
        let other_patient = h.new_patient(&other_owner, "Otto Other").await;

        let link = h.new_link(&owner, &["matrix"]).await;
        // A conversation routed to a link whose members are the owner and the admin only.
        let front_desk = h
            .new_routed_link(&owner, &[&owner.account_id, &admin.account_id], &[])
            .await;
        let routed = h
            .new_conversation(&owner, &[&patient.contact_id], Some(&front_desk))
            .await;
        let invited = h.new_contact_without_account(&owner).await;
        let invite = h.api(&owner).invite(json!({"contact_id": invited})).await;
        assert_eq!(invite.status, 201, "{}", invite.text);
        let message = h
            .post_id(&owner, &conversation, "Matrix message", "matrix-1")
            .await;
        let upload =
            json!({"filename": "scan.pdf", "content_type": "application/pdf", "size": 900});
        let attachment = h
            .api(&patient)
            .reserve_attachment(&conversation, upload)
            .await;
        assert_eq!(attachment.status, 201, "{}", attachment.text);
        let device = h
            .call(
                "POST",
                "/v1/devices",
                Some(json!({"platform": "ios", "token": unique_ios_token()})),
                Some(&patient.token),
            )
            .await;
        assert_eq!(device.status, 201, "{}", device.text);
        let sessions = h
            .call("GET", "/v1/sessions", None, Some(&owner.token))
            .await;
        let session = sessions.json()["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["current"] == true)
            .map(|s| s["id"].as_str().unwrap().to_string())
            .expect("the owner's current session");

        let tokens = BTreeMap::from([
            ("Owner", owner.token.clone()),
            ("Admin", admin.token),
            ("Member", member.token),
            ("Patient", patient.token.clone()),
            ("OtherOwner", other_owner.token),
            ("OtherPatient", other_patient.token),
        ]);
        let ids = BTreeMap::from([
            ("conversation", conversation),
            ("routed_conversation", routed),
            ("message", message),
            ("attachment", attachment.string("id")),
            ("link", link.id.to_string()),
            ("link_code", link.code),
            ("teammate", removable.account_id),
            ("contact", patient.contact_id),
            ("invited_contact", invited),
            ("invite", invite.string("id")),
            ("session", session),
            ("device", device.string("id")),
        ]);
        World { h, tokens, ids }
    }

    fn token(&self, who: Who) -> &str {
        &self.tokens[format!("{who:?}").as_str()]
    }

    /// The route's path with A's ids in it, naming the conversation `conversation`.
    fn path_in(&self, route: &str, conversation: &str) -> String {
        let (_, path) = route.split_once(' ').unwrap();
        let param = |p: &str| match (path, p) {
            (_, "{code}") => "link_code",
            (_, "{message_id}") => "message",
            (_, "{attachment_id}") => "attachment",
            (p, _) if p.starts_with("/v1/sessions") => "session",
            (p, _) if p.starts_with("/v1/members") => "teammate",
            (p, _) if p.starts_with("/v1/links") => "link",
            (p, _) if p.starts_with("/v1/contacts") => "contact",
            (p, _) if p.starts_with("/v1/invites") => "invite",
            (p, _) if p.starts_with("/v1/devices") => "device",
            _ => conversation,
        };
        let mut out = path.to_string();
        for p in ["{id}", "{message_id}", "{attachment_id}", "{code}"] {
            out = out.replace(p, &self.ids[param(p)]);
        }
        out
    }

    /// A valid body, so a refusal comes from authorization, not from validation.
    fn body(&self, route: &str) -> Option<Value> {
        let id = |k: &str| self.ids[k].clone();
        Some(match route {
            "POST /v1/members" => {
                json!({"name": "Mal Ory", "email": random_email("mal"), "role": "admin"})
            }
            "PATCH /v1/org" => json!({"name": "Hijacked Clinic"}),
            "POST /v1/links" => json!({"label": "Hijack desk"}),
            "PATCH /v1/links/{id}" => json!({"label": "Hijacked", "active": false}),
            "POST /v1/contacts" => json!({"name": "Mal Ory", "email": random_email("contact")}),
            "POST /v1/invites" => json!({"contact_id": id("invited_contact")}),
            "POST /v1/conversations" => {
                json!({"kind": "standard", "contact_id": id("contact"), "channel": "sms"})
            }
            "PATCH /v1/conversations/{id}" => json!({"subject": "Hijacked", "read_only": true}),
            "POST /v1/conversations/{id}/confirm-identity" => json!({"contact_id": id("contact")}),
            "POST /v1/conversations/{id}/messages" => {
                json!({"text": "hijack", "client_message_id": "matrix-hijack"})
            }
            "POST /v1/conversations/{id}/read" => json!({"message_id": id("message")}),
            "POST /v1/conversations/{id}/attachments" => {
                json!({"filename": "x.pdf", "content_type": "application/pdf", "size": 10})
            }
            "POST /v1/devices" => json!({"platform": "ios", "token": unique_ios_token()}),
            _ => return None,
        })
    }

    async fn call(&self, who: Who, route: &str) -> Reply {
        self.call_in(who, route, "conversation").await
    }

    async fn call_in(&self, who: Who, route: &str, conversation: &str) -> Reply {
        let (method, _) = route.split_once(' ').unwrap();
        let path = self.path_in(route, conversation);
        self.h
            .call(method, &path, self.body(route), Some(self.token(who)))
            .await
    }

    /// What A's owner sees of A, to compare before and after the sweep.
    async fn a_state(&self) -> Vec<Value> {
        let owner = self.token(Owner);
        let mut seen = Vec::new();
        for path in [
            "/v1/members".to_string(),
            "/v1/links".to_string(),
            "/v1/org".to_string(),
            format!("/v1/contacts/{}", self.ids["contact"]),
            format!("/v1/conversations/{}", self.ids["conversation"]),
            format!("/v1/conversations/{}/messages", self.ids["conversation"]),
            "/v1/conversations".to_string(),
            "/v1/sessions".to_string(),
        ] {
            let reply = self.h.call("GET", &path, None, Some(owner)).await;
            assert_eq!(reply.status, 200, "{path}: {}", reply.text);
            seen.push(reply.json());
        }
        seen
    }
}

#[tokio::test]
async fn every_route_refuses_every_caller_its_rule_does_not_allow_and_changes_nothing() {
    let w = World::build().await;
    let declared: Vec<String> =
        w.h.router
            .routes()
            .iter()
            .filter(|r| r.api == Api::App)
            .map(|r| r.key())
            .collect();
    let ruled: Vec<&str> = RULES.iter().map(|(route, _)| *route).collect();
    for route in &declared {
        assert!(ruled.contains(&route.as_str()), "{route} has no rule here");
    }
    for route in &ruled {
        assert!(
            declared.iter().any(|d| d == route),
            "{route} is not a route"
        );
    }

    let before = w.a_state().await;
    let mut refusals = 0;
    for (route, rule) in RULES {
        let allowed = match rule {
            Public => continue,
            OwnScope(who) | AObject(who) => *who,
        };
        for who in EVERYONE.iter().filter(|who| !allowed.contains(who)) {
            let reply = w.call(*who, route).await;
            assert!(
                [403, 404].contains(&reply.status),
                "{route} as {who:?}: {} {}",
                reply.status,
                reply.text
            );
            refusals += 1;
        }
    }
    assert_eq!(w.a_state().await, before, "a refused call changed A");
    assert!(refusals >= 60, "only {refusals} refusals");

    // Every allowed caller's read succeeds (the writes are each area's own tests).
    for (route, rule) in RULES.iter().filter(|(r, _)| r.starts_with("GET ")) {
        let allowed = match rule {
            Public => continue,
            OwnScope(who) | AObject(who) => *who,
        };
        for who in allowed {
            let reply = w.call(*who, route).await;
            assert_eq!(reply.status, 200, "{route} as {who:?}: {}", reply.text);
        }
    }
}

#[tokio::test]
async fn another_practices_own_scoped_reads_never_show_an_id_of_practice_a() {
    let w = World::build().await;
    // (Not the link's 6-digit code: B's own codes may contain the same digits.)
    let a_ids: Vec<&String> = w
        .ids
        .iter()
        .filter(|(k, _)| **k != "link_code")
        .map(|(_, v)| v)
        .collect();
    for who in [OtherOwner, OtherPatient] {
        for path in [
            "/v1/conversations",
            "/v1/sync",
            "/v1/contacts?q=M",
            "/v1/links",
            "/v1/members",
            "/v1/sessions",
        ] {
            let reply = w.h.call("GET", path, None, Some(w.token(who))).await;
            if reply.status == 403 {
                continue; // a patient's view of a staff route
            }
            assert_eq!(reply.status, 200, "{path} as {who:?}: {}", reply.text);
            for id in &a_ids {
                assert!(
                    !reply.text.contains(id.as_str()),
                    "{path} as {who:?} shows A's {id}"
                );
            }
        }
    }
}

#[tokio::test]
async fn a_teammate_outside_a_links_members_gets_nothing_of_its_conversations() {
    let w = World::build().await;
    let routes = RULES
        .iter()
        .filter(|(route, _)| route.contains("/v1/conversations/{id}"));
    let mut refusals = 0;
    for (route, _) in routes {
        let reply = w.call_in(Member, route, "routed_conversation").await;
        assert!(
            [403, 404].contains(&reply.status),
            "{route} as a member outside the link: {} {}",
            reply.status,
            reply.text
        );
        refusals += 1;
        // The link's own members are let through on reads.
        if route.starts_with("GET ")
            && !route.contains("{message_id}")
            && !route.contains("{attachment_id}")
        {
            let ok = w.call_in(Admin, route, "routed_conversation").await;
            assert_eq!(ok.status, 200, "{route} as the link's admin: {}", ok.text);
        }
    }
    assert_eq!(refusals, 10, "the routes naming a conversation");
    let inbox = w.call(Member, "GET /v1/conversations").await;
    assert!(
        !inbox.text.contains(&w.ids["routed_conversation"]),
        "{}",
        inbox.text
    );
}

/// Keys a patient never gets (minimum necessary): routing, identity checks, contact
/// records and anyone's contact details.
const STAFF_ONLY_KEYS: &[&str] = &[
    "tags",
    "link_id",
    "identity",
    "contact_match",
    "contact_ids",
    "contact_id",
    "secure_conversation_id",
    "standard_conversation_id",
    "phone",
    "email",
    "to",
];

/// Every object key anywhere in `v`.
fn keys_in(v: &Value, out: &mut Vec<String>) {
    match v {
        Value::Object(map) => {
            for (k, inner) in map {
                out.push(k.clone());
                keys_in(inner, out);
            }
        }
        Value::Array(items) => items.iter().for_each(|i| keys_in(i, out)),
        _ => {}
    }
}

#[tokio::test]
async fn a_patient_never_gets_a_staff_only_field_on_any_route_it_may_read() {
    let w = World::build().await;
    let mut checked = 0;
    for (route, rule) in RULES.iter().filter(|(r, _)| r.starts_with("GET ")) {
        let allowed = match rule {
            Public => continue,
            OwnScope(who) | AObject(who) => *who,
        };
        if !allowed.contains(&Patient) {
            continue;
        }
        let reply = w.call(Patient, route).await;
        assert_eq!(reply.status, 200, "{route}: {}", reply.text);
        let mut keys = Vec::new();
        keys_in(&reply.json(), &mut keys);
        for key in STAFF_ONLY_KEYS {
            assert!(
                !keys.iter().any(|k| k == key),
                "{route} shows a patient {key:?}: {}",
                reply.text
            );
        }
        checked += 1;
    }
    assert!(checked >= 7, "only {checked} patient reads");
    // The same reads as staff do carry the routing fields: the keys are real.
    let details = w.call(Owner, "GET /v1/conversations/{id}").await;
    let mut keys = Vec::new();
    keys_in(&details.json(), &mut keys);
    for key in ["tags", "link_id", "identity", "contact_ids"] {
        assert!(
            keys.iter().any(|k| k == key),
            "staff see {key}: {}",
            details.text
        );
    }
}
