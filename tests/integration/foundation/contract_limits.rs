//! The document and the validators cannot drift: for every JSON request body in
//! `openapi.yaml`, every declared field is probed at and just past its limits (lengths,
//! quantifier bounds of its pattern, enums, integer bounds, item counts, uniqueness, type,
//! nullability) through the real parsing layer (the in-process router, the same handlers as
//! in AWS). Each probe is judged by the schema itself (a small JSON Schema evaluator below:
//! `pattern` with the `regex` crate, lengths in characters), and the server must agree:
//! - schema-valid → never refused naming that field (other answers, e.g. 404 for an id
//!   that names nothing or 409, are the state's, not the field's);
//! - schema-invalid → 400 (413/415 where the contract says so) naming that field.
//!
//! So a limit changed on either side alone fails here, and an operation with a JSON body
//! that this test has no base body for fails too (add one below when adding a route).
//! Probes the schema cannot judge (`format: phone`, which only libphonenumber can say) are
//! left out.

use canopy_tests::{Harness, Reply};
use regex::Regex;
use serde_json::{json, Map, Value};
use std::collections::BTreeMap;

type Schemas = Map<String, Value>;

fn document() -> Value {
    let text = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../openapi.yaml"))
        .expect("openapi.yaml");
    serde_yaml::from_str(&text).expect("openapi.yaml parses")
}

fn resolve<'a>(schemas: &'a Schemas, mut s: &'a Value) -> &'a Value {
    while let Some(r) = s.get("$ref").and_then(Value::as_str) {
        s = &schemas[r.rsplit('/').next().unwrap()];
    }
    s
}

/// Whether `v` satisfies `s` (Some), or None when the schema cannot say (`format: phone`).
fn valid(schemas: &Schemas, s: &Value, v: &Value) -> Option<bool> {
    let s = resolve(schemas, s);
    if v.is_null() {
        return Some(s["nullable"].as_bool().unwrap_or(false));
    }
    let mut verdict = Some(true);
    for sub in s["allOf"].as_array().into_iter().flatten() {
        and(&mut verdict, valid(schemas, sub, v));
    }
    if let Some(any) = s["anyOf"].as_array() {
        let each: Vec<Option<bool>> = any.iter().map(|sub| valid(schemas, sub, v)).collect();
        and(
            &mut verdict,
            if each.contains(&Some(true)) {
                Some(true)
            } else if each.iter().all(|x| *x == Some(false)) {
                Some(false)
            } else {
                None
            },
        );
    }
    if let Some(members) = s["enum"].as_array() {
        and(&mut verdict, Some(members.contains(v)));
    }
    match (s["type"].as_str(), v) {
        (Some("string"), Value::String(text)) => {
            let chars = text.chars().count() as u64;
            and(
                &mut verdict,
                Some(s["maxLength"].as_u64().is_none_or(|m| chars <= m)),
            );
            and(
                &mut verdict,
                Some(s["minLength"].as_u64().is_none_or(|m| chars >= m)),
            );
            if let Some(p) = s["pattern"].as_str() {
                and(
                    &mut verdict,
                    Some(Regex::new(p).expect("pattern").is_match(text)),
                );
            }
            if s["format"] == "phone" && verdict == Some(true) {
                and(&mut verdict, None);
            }
        }
        (Some("integer"), Value::Number(n)) => match n.as_i64() {
            Some(i) => {
                and(
                    &mut verdict,
                    Some(s["maximum"].as_i64().is_none_or(|m| i <= m)),
                );
                and(
                    &mut verdict,
                    Some(s["minimum"].as_i64().is_none_or(|m| i >= m)),
                );
            }
            None => and(&mut verdict, Some(false)),
        },
        (Some("boolean"), Value::Bool(_)) => {}
        (Some("object"), Value::Object(fields)) => {
            for (name, field) in fields {
                match s["properties"].get(name) {
                    Some(property) => and(&mut verdict, valid(schemas, property, field)),
                    None if s["additionalProperties"] == false => and(&mut verdict, Some(false)),
                    None => {}
                }
            }
            for required in s["required"].as_array().into_iter().flatten() {
                let present = required.as_str().is_some_and(|r| fields.contains_key(r));
                and(&mut verdict, Some(present));
            }
        }
        (Some("array"), Value::Array(items)) => {
            let n = items.len() as u64;
            and(
                &mut verdict,
                Some(s["maxItems"].as_u64().is_none_or(|m| n <= m)),
            );
            and(
                &mut verdict,
                Some(s["minItems"].as_u64().is_none_or(|m| n >= m)),
            );
            if s["uniqueItems"] == true {
                let distinct = items
                    .iter()
                    .enumerate()
                    .all(|(i, x)| !items[..i].contains(x));
                and(&mut verdict, Some(distinct));
            }
            for item in items {
                and(&mut verdict, valid(schemas, &s["items"], item));
            }
        }
        (Some(_), _) => and(&mut verdict, Some(false)),
        (None, _) => {}
    }
    verdict
}

/// Both verdicts: false wins, then undetermined.
fn and(verdict: &mut Option<bool>, x: Option<bool>) {
    *verdict = match (*verdict, x) {
        (Some(false), _) | (_, Some(false)) => Some(false),
        (Some(true), Some(true)) => Some(true),
        _ => None,
    }
}

/// Upper bounds of the pattern's quantifiers (`{0,98}` → 98), where the length limits of
/// names, labels, tags and subjects live.
fn quantifier_bounds(pattern: &str) -> Vec<usize> {
    let q = Regex::new(r"\{(\d+)(?:,(\d+))?\}").unwrap();
    q.captures_iter(pattern)
        .filter_map(|c| c.get(2).or(c.get(1))?.as_str().parse().ok())
        .collect()
}

/// Values at and just past the field's limits, built from its schema and a valid `base`.
fn probes(schemas: &Schemas, s: &Value, base: &Value) -> Vec<Value> {
    let s = resolve(schemas, s);
    let mut out = vec![Value::Null, base.clone()];
    let members: Vec<Value> = s["enum"].as_array().cloned().unwrap_or_default();
    out.extend(members.iter().cloned());
    let string_schema = s["type"] == "string"
        || s["allOf"]
            .as_array()
            .is_some_and(|a| a.iter().any(|x| resolve(schemas, x)["type"] == "string"));
    match base {
        Value::String(v) if string_schema => {
            out.push(json!(5));
            if !members.is_empty() {
                out.push(json!(format!("{v}x")));
                return out;
            }
            let last = v.chars().last().unwrap_or('a');
            let pad = |n: usize| -> Value {
                let mut t: String = v.chars().take(n).collect();
                while t.chars().count() < n {
                    t.push(last);
                }
                json!(t)
            };
            let flat = |s: &Value| -> Vec<Value> {
                let mut all = vec![s.clone()];
                all.extend(s["allOf"].as_array().into_iter().flatten().cloned());
                all.extend(s["anyOf"].as_array().into_iter().flatten().cloned());
                all.into_iter()
                    .map(|x| resolve(schemas, &x).clone())
                    .collect()
            };
            let mut lengths = vec![
                0,
                1,
                v.chars().count().saturating_sub(1),
                v.chars().count() + 1,
            ];
            for part in flat(s) {
                for key in ["maxLength", "minLength"] {
                    if let Some(m) = part[key].as_u64() {
                        lengths.extend([
                            m as usize,
                            m as usize + 1,
                            (m as usize).saturating_sub(1),
                        ]);
                    }
                }
                if let Some(p) = part["pattern"].as_str() {
                    for b in quantifier_bounds(p).into_iter().filter(|b| *b >= 8) {
                        lengths.extend([b + 1, b + 2, b + 3]);
                    }
                }
            }
            lengths.sort_unstable();
            lengths.dedup();
            out.extend(lengths.into_iter().filter(|n| *n <= 5000).map(pad));
            let mid = v.len() / 2;
            let mid = (0..=mid)
                .rev()
                .find(|i| v.is_char_boundary(*i))
                .unwrap_or(0);
            out.push(json!(format!("{}\u{7}{}", &v[..mid], &v[mid..])));
            out.push(json!(format!(" {v} ")));
            out.push(json!(v.to_uppercase()));
        }
        Value::Number(_) => {
            out.push(json!("1"));
            for key in ["minimum", "maximum"] {
                if let Some(m) = s[key].as_i64() {
                    out.extend([json!(m - 1), json!(m), json!(m + 1)]);
                }
            }
        }
        Value::Bool(_) => out.extend([json!(true), json!(false), json!("true")]),
        Value::Array(items) => {
            out.push(json!("x"));
            out.push(json!([]));
            out.push(json!([Value::Null]));
            if let Some(first) = items.first() {
                out.push(json!([first, first]));
                for key in ["maxItems", "minItems"] {
                    if let Some(m) = s[key].as_u64() {
                        for n in [m, m + 1, m.saturating_sub(1)] {
                            out.push(Value::Array(vec![first.clone(); n as usize]));
                        }
                    }
                }
                for p in probes(schemas, &s["items"], first) {
                    if !p.is_null() {
                        out.push(json!([p]));
                    }
                }
            }
        }
        _ => {}
    }
    out
}

/// Whether the answer refuses the body because of `field`.
fn names(reply: &Reply, field: &str) -> bool {
    if !matches!(reply.status, 400 | 413 | 415) {
        return false;
    }
    let message = reply.error_message();
    message.starts_with(&format!("{field}:")) || message.starts_with(&format!("{field}["))
}

struct Op {
    method: &'static str,
    path: String,
    token: Option<String>,
    /// One valid body per `oneOf` branch, in the document's order.
    bases: Vec<Value>,
}

#[tokio::test]
async fn every_request_field_agrees_with_openapi_at_and_past_its_limits() {
    let doc = document();
    let schemas = doc["components"]["schemas"].as_object().unwrap().clone();
    let h = Harness::new().await;
    let owner = h.new_practice("Drift Clinic").await;
    let mate = h.new_teammate(&owner, "member").await;
    let patient = h.new_patient(&owner, "Dee Drift").await;
    let link = h.new_link(&owner, &["intake"]).await;
    let conv = h
        .new_conversation(&owner, &[&patient.contact_id], None)
        .await;
    let message = h.post_id(&owner, &conv, "hello", "drift-1").await;
    let standard = h
        .api(&owner)
        .create_conversation(
            json!({"kind": "standard", "contact_id": patient.contact_id, "channel": "sms"}),
        )
        .await
        .string("id");
    // A contact with both addresses: either channel is then the schema's question only.
    let reachable = h
        .new_contact(
            &owner,
            "Eli Both",
            Some("+12025550199"),
            Some("eli.both@example.com"),
        )
        .await["id"]
        .as_str()
        .unwrap()
        .to_string();
    let (t, p) = (Some(owner.token.clone()), Some(patient.token.clone()));
    let chal = "chal_01KAAAAAAAAAAAAAAAAAAAAAAA";
    let att = "att_01KAAAAAAAAAAAAAAAAAAAAAAA";
    let ops: BTreeMap<&str, Op> = BTreeMap::from([
        (
            "createOrg",
            Op {
                method: "POST",
                path: "/v1/orgs".into(),
                token: None,
                bases: vec![
                    json!({"practice_name": "Elm Street Clinic", "owner_name": "Ann Lee", "owner_email": "ann.lee@example.com"}),
                ],
            },
        ),
        (
            "startSignIn",
            Op {
                method: "POST",
                path: "/v1/auth/start".into(),
                token: None,
                bases: vec![
                    json!({"email": "nobody@example.com"}),
                    json!({"phone": "+12025550143"}),
                ],
            },
        ),
        (
            "verifyCode",
            Op {
                method: "POST",
                path: "/v1/auth/verify".into(),
                token: None,
                bases: vec![json!({"challenge_id": chal, "code": "123456"})],
            },
        ),
        (
            "addMember",
            Op {
                method: "POST",
                path: "/v1/members".into(),
                token: t.clone(),
                bases: vec![
                    json!({"name": "Bea Lin", "email": "bea.lin@example.com", "role": "member"}),
                ],
            },
        ),
        (
            "updateOrg",
            Op {
                method: "PATCH",
                path: "/v1/org".into(),
                token: t.clone(),
                bases: vec![
                    json!({"name": "Drift Family Clinic", "settings": {"unread_reminder_minutes": 60}}),
                ],
            },
        ),
        (
            "createLink",
            Op {
                method: "POST",
                path: "/v1/links".into(),
                token: t.clone(),
                bases: vec![
                    json!({"label": "Front desk", "code": "drift-desk", "tags": ["new"], "member_ids": [mate.account_id]}),
                ],
            },
        ),
        (
            "updateLink",
            Op {
                method: "PATCH",
                path: format!("/v1/links/{}", link.id),
                token: t.clone(),
                bases: vec![
                    json!({"label": "Front desk", "tags": ["intake"], "member_ids": [], "active": true}),
                ],
            },
        ),
        (
            "createContact",
            Op {
                method: "POST",
                path: "/v1/contacts".into(),
                token: t.clone(),
                bases: vec![
                    json!({"name": "Cy Ward", "phone": "+12025550177", "email": "cy.ward@example.com"}),
                ],
            },
        ),
        (
            "createInvite",
            Op {
                method: "POST",
                path: "/v1/invites".into(),
                token: t.clone(),
                bases: vec![
                    json!({"contact_id": patient.contact_id, "link_id": link.id.to_string(), "subject": "Lab results"}),
                ],
            },
        ),
        (
            "secureInvite",
            Op {
                method: "POST",
                path: format!("/v1/conversations/{standard}/secure-invite"),
                token: t.clone(),
                bases: vec![json!({"subject": "Lab results"})],
            },
        ),
        (
            "confirmIdentity",
            Op {
                method: "POST",
                path: format!("/v1/conversations/{standard}/confirm-identity"),
                token: t.clone(),
                bases: vec![json!({"contact_id": patient.contact_id})],
            },
        ),
        (
            "startSignup",
            Op {
                method: "POST",
                path: "/v1/signup/start".into(),
                token: None,
                bases: vec![
                    json!({"name": "Di Ray", "phone": "+12025550161", "email": "di.ray@example.com", "link_code": link.code}),
                    json!({"name": "Di Ray", "phone": "+12025550161", "email": "di.ray@example.com", "invite_token": "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"}),
                ],
            },
        ),
        (
            "verifySignup",
            Op {
                method: "POST",
                path: "/v1/signup/verify".into(),
                token: None,
                bases: vec![
                    json!({"challenge_id": chal, "sms_code": "123456", "email_code": "123456"}),
                ],
            },
        ),
        (
            "createConversation",
            Op {
                method: "POST",
                path: "/v1/conversations".into(),
                token: t.clone(),
                bases: vec![
                    json!({"kind": "secure", "participant_ids": [patient.contact_id, mate.account_id], "subject": "Lab results", "link_id": link.id.to_string()}),
                    json!({"kind": "standard", "contact_id": reachable, "channel": "sms", "subject": "Lab results", "link_id": link.id.to_string()}),
                ],
            },
        ),
        (
            "updateConversation",
            Op {
                method: "PATCH",
                path: format!("/v1/conversations/{conv}"),
                token: t.clone(),
                bases: vec![
                    json!({"read_only": false, "subject": "Lab results", "tags": ["intake"]}),
                ],
            },
        ),
        (
            "postMessage",
            Op {
                method: "POST",
                path: format!("/v1/conversations/{conv}/messages"),
                token: p.clone(),
                bases: vec![
                    json!({"text": "Thanks", "client_message_id": "drift-k", "attachment_ids": [att]}),
                ],
            },
        ),
        (
            "markRead",
            Op {
                method: "POST",
                path: format!("/v1/conversations/{conv}/read"),
                token: p.clone(),
                bases: vec![json!({"message_id": message})],
            },
        ),
        (
            "reserveAttachment",
            Op {
                method: "POST",
                path: format!("/v1/conversations/{conv}/attachments"),
                token: p.clone(),
                bases: vec![
                    json!({"filename": "rash.jpg", "content_type": "image/jpeg", "size": 1000}),
                    json!({"filename": "clip.mp4", "content_type": "video/mp4", "size": 1000}),
                ],
            },
        ),
        (
            "registerDevice",
            Op {
                method: "POST",
                path: "/v1/devices".into(),
                token: p.clone(),
                bases: vec![
                    json!({"platform": "ios", "token": "a0b1c2d3"}),
                    json!({"platform": "android", "token": "fcm:tok-1"}),
                ],
            },
        ),
    ]);

    let mut covered = 0;
    let mut disagreements = Vec::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            let Some(body) = op["requestBody"]["content"]["application/json"]["schema"].as_object()
            else {
                continue;
            };
            let id = op["operationId"].as_str().unwrap_or_default();
            if path.starts_with("/{code}") {
                continue; // the link domain's form post: its own API and tests
            }
            let run = ops.get(id).unwrap_or_else(|| {
                panic!(
                    "{} {path} ({id}): add a base body to this test",
                    method.to_uppercase()
                )
            });
            let body = resolve(&schemas, &Value::Object(body.clone())).clone();
            let branches: Vec<Value> = match body["oneOf"].as_array() {
                Some(b) => b.iter().map(|x| resolve(&schemas, x).clone()).collect(),
                None => vec![body.clone()],
            };
            assert_eq!(
                branches.len(),
                run.bases.len(),
                "{id}: one base per oneOf branch"
            );
            for (branch, base) in branches.iter().zip(&run.bases) {
                let props = branch["properties"].as_object().unwrap();
                for key in base.as_object().unwrap().keys() {
                    assert!(
                        props.contains_key(key),
                        "{id}: base field {key} is not in the schema"
                    );
                }
                for (field, schema) in props {
                    let is_discriminator = resolve(&schemas, schema)["enum"]
                        .as_array()
                        .is_some_and(|e| e.len() == 1);
                    let Some(good) = base.get(field) else {
                        panic!("{id}: the base body lacks {field}");
                    };
                    if is_discriminator {
                        continue;
                    }
                    for probe in probes(&schemas, schema, good) {
                        let Some(expected) = valid(&schemas, schema, &probe) else {
                            continue;
                        };
                        let mut sent = base.clone();
                        sent[field] = probe.clone();
                        let reply = h
                            .call(run.method, &run.path, Some(sent), run.token.as_deref())
                            .await;
                        covered += 1;
                        let refused = names(&reply, field);
                        if expected == refused {
                            disagreements.push(format!(
                                "{id} {field}={probe}: schema says {}, server answered {} {}",
                                if expected { "valid" } else { "invalid" },
                                reply.status,
                                reply.text
                            ));
                        }
                    }
                }
            }
        }
    }
    println!(
        "contract limits: {covered} probes through the handlers, {} disagreements",
        disagreements.len()
    );
    assert!(covered > 300, "only {covered} probes ran");
    assert!(disagreements.is_empty(), "{}", disagreements.join("\n"));
}
