//! Every route of this area against every kind of caller who must not see a conversation:
//! another practice's staff, staff outside the routing link, another patient of the same
//! practice, a removed teammate, anonymous. Nothing of the conversation may appear in any
//! answer, and nothing may change.

use canopy_tests::Harness;
use serde_json::{json, Value};

#[tokio::test]
async fn nobody_outside_the_conversation_sees_or_changes_anything() {
    let (h, owner) = Harness::with_practice("Oak Clinic").await;
    let inside = h.new_teammate(&owner, "member").await;
    let outside = h.new_teammate(&owner, "member").await;
    let removed = h.new_teammate(&owner, "member").await;
    let link = h
        .new_routed_link(
            &owner,
            &[&owner.account_id, &inside.account_id, &removed.account_id],
            &[],
        )
        .await;
    let patient = h.new_patient(&owner, "Pia Quinn").await;
    let other_patient = h.new_patient(&owner, "Rex Stone").await;
    let stranger = h.new_practice("Pine Clinic").await;
    let conv = h
        .new_conversation(&inside, &[&patient.contact_id], Some(&link))
        .await;
    let subject = "SECRET-SUBJECT";
    let patched = h
        .api(&owner)
        .patch_conversation(&conv, json!({"subject": subject}))
        .await;
    assert_eq!(patched.status, 200);
    let posted = h
        .api(&patient)
        .post_message(&conv, "SECRET-TEXT", "secret-1")
        .await;
    let msg = posted.string("id");
    // The removed teammate could see it; then they are removed.
    assert_eq!(h.api(&removed).conversation(&conv).await.status, 200);
    let gone = h.api(&owner).remove_member(&removed.account_id).await;
    assert_eq!(gone.status, 204);

    let routes: Vec<(&str, String, Option<Value>)> = vec![
        ("GET", format!("/v1/conversations/{conv}"), None),
        (
            "PATCH",
            format!("/v1/conversations/{conv}"),
            Some(json!({"read_only": true})),
        ),
        ("GET", format!("/v1/conversations/{conv}/messages"), None),
        (
            "POST",
            format!("/v1/conversations/{conv}/messages"),
            Some(json!({"text": "intruder", "client_message_id": "x-1"})),
        ),
        (
            "POST",
            format!("/v1/conversations/{conv}/read"),
            Some(json!({"message_id": msg})),
        ),
        (
            "GET",
            format!("/v1/conversations/{conv}/messages/{msg}"),
            None,
        ),
        ("GET", "/v1/conversations".to_string(), None),
        ("GET", format!("/v1/conversations?link_id={link}"), None),
        (
            "POST",
            "/v1/conversations".to_string(),
            Some(json!({"kind": "secure", "participant_ids": [patient.contact_id]})),
        ),
    ];
    let callers: Vec<(&str, Option<String>)> = vec![
        ("other practice's staff", Some(stranger.token.clone())),
        ("staff outside the link", Some(outside.token.clone())),
        ("another patient", Some(other_patient.token.clone())),
        ("removed member", Some(removed.token.clone())),
        ("anonymous", None),
    ];
    for (who, token) in &callers {
        for (method, path, body) in &routes {
            let reply = h.call(method, path, body.clone(), token.as_deref()).await;
            let what = format!("{who}: {method} {path} → {} {}", reply.status, reply.text);
            let allowed: &[u16] = match (*who, *method, path.as_str()) {
                ("anonymous" | "removed member", _, _) => &[401],
                (_, "GET", "/v1/conversations") => &[200],
                ("another patient", "GET", p) if p.contains("link_id") => &[200],
                ("another patient", "PATCH", _)
                | ("another patient", "POST", "/v1/conversations") => &[403],
                // Practice staff may start their own conversation with the practice's patient.
                ("staff outside the link", "POST", "/v1/conversations") => &[201],
                // Another practice's patient names nothing this practice has (404, as any
                // well-formed id naming nothing the caller sees).
                _ => &[404],
            };
            assert!(allowed.contains(&reply.status), "{what}");
            let own_new_conversation = reply.status == 201;
            for secret in [
                conv.as_str(),
                msg.as_str(),
                subject,
                "SECRET-TEXT",
                "Pia Quinn",
                &patient.account_id,
            ] {
                if own_new_conversation && (secret == "Pia Quinn" || secret == patient.account_id) {
                    continue;
                }
                assert!(!reply.text.contains(secret), "leak of {secret}: {what}");
            }
        }
    }
    // Nothing changed.
    let d = h.api(&inside).conversation(&conv).await;
    assert_eq!(d.json()["read_only"], false);
    assert_eq!(d.json()["message_count"], 1);
    let one = h.api(&inside).message(&conv, &msg).await;
    assert_eq!(
        one.json()["seen_by"],
        json!([]),
        "no receipt was recorded by an outsider"
    );
    let page = h.api(&inside).messages(&conv, "").await;
    assert_eq!(page.json()["items"].as_array().unwrap().len(), 1);
    // And the ones who may see it do.
    for token in [&owner.token, &inside.token, &patient.token] {
        assert!(h.inbox_row(token, &conv).await.is_some());
    }
}

#[tokio::test]
async fn inbox_cursors_never_name_a_conversation_the_caller_cannot_see() {
    use base64::Engine;
    let (h, owner) = Harness::with_practice("Cursor Clinic").await;
    let teammate = h.new_teammate(&owner, "member").await;
    let private_link = h.new_routed_link(&owner, &[&owner.account_id], &[]).await;
    let open_link = h.new_routed_link(&owner, &[], &[]).await;
    let patient = h.new_patient(&owner, "Pat").await;
    let visible_old = h
        .new_conversation(&owner, &[&patient.contact_id], Some(&open_link))
        .await;
    // Newest first, the hidden ones fill whole windows of the limit-2 pages.
    let mut hidden = Vec::new();
    for _ in 0..3 {
        hidden.push(
            h.new_conversation(&owner, &[&patient.contact_id], Some(&private_link))
                .await,
        );
    }
    let visible_new = h
        .new_conversation(&owner, &[&patient.contact_id], Some(&open_link))
        .await;

    let mut seen = Vec::new();
    let mut cursor: Option<String> = None;
    for _ in 0..5 {
        let query = match &cursor {
            Some(c) => format!("?limit=2&cursor={c}"),
            None => "?limit=2".to_string(),
        };
        let page = h.api(&teammate).inbox(&query).await.json();
        seen.extend(
            page["items"]
                .as_array()
                .unwrap()
                .iter()
                .map(|c| c["id"].as_str().unwrap().to_string()),
        );
        match page["next_cursor"].as_str() {
            Some(c) => {
                let decoded = base64::engine::general_purpose::URL_SAFE_NO_PAD
                    .decode(c)
                    .unwrap();
                let text = String::from_utf8_lossy(&decoded).to_string();
                for id in &hidden {
                    assert!(
                        !text.contains(id.as_str()),
                        "cursor names a hidden conversation: {text}"
                    );
                }
                cursor = Some(c.to_string());
            }
            None => break,
        }
    }
    assert_eq!(seen, vec![visible_new, visible_old]);
}
