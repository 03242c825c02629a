//! Sessions users can end (issue 12.5, API.md § Sessions): logout, the session list, ending
//! one session or all of them, expiry (staff: 12 h from sign-in; patients: 30 days from the
//! last use), a sign-in on a device rotating that device's token, and the attacks: a listed
//! session id used as a token, and another account's sessions seen or ended (404).

use aws_sdk_dynamodb::types::AttributeValue;
use canopy_local::template::Api as Domain;
use canopy_shared::access::sessions::{PATIENT_SESSION_MS, STAFF_SESSION_MS};
use canopy_shared::adapters::dynamo::keys;
use canopy_shared::adapters::dynamo::practice::AccountItem;
use canopy_shared::domain::ids::AccountId;
use canopy_shared::ports::{Clock, ManualClock, SystemClock};
use canopy_tests::{moto, Harness, Reply};
use serde_json::{json, Value};
use std::collections::BTreeMap;
use std::sync::Arc;

const IPHONE: &str = "Canopy/3.2 (iPhone15,2; iOS 18.1)";
const MAC: &str = "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) Chrome/131.0.0.0";
const DAY: i64 = 24 * 3600 * 1000;

/// A request with a bearer token (and a user agent).
async fn call(h: &Harness, method: &str, path: &str, token: &str, ua: Option<&str>) -> Reply {
    let mut headers = BTreeMap::new();
    headers.insert("authorization".to_string(), format!("Bearer {token}"));
    if let Some(ua) = ua {
        headers.insert("user-agent".to_string(), ua.to_string());
    }
    h.raw(Domain::App, method, path, headers, Vec::new()).await
}

async fn sessions(h: &Harness, token: &str) -> Reply {
    call(h, "GET", "/v1/sessions", token, None).await
}

/// Whether the token is accepted (200 on the session list) or refused (401).
async fn works(h: &Harness, token: &str) -> bool {
    let reply = sessions(h, token).await;
    assert!(matches!(reply.status, 200 | 401), "{}", reply.text);
    reply.status == 200
}

/// `POST /v1/auth/verify` of a challenge sent to `to` (email or phone), from `ua`.
async fn verify_from(h: &Harness, challenge: &str, code: &str, ua: Option<&str>) -> String {
    let mut headers = BTreeMap::new();
    headers.insert("content-type".to_string(), "application/json".to_string());
    if let Some(ua) = ua {
        headers.insert("user-agent".to_string(), ua.to_string());
    }
    let body = json!({"challenge_id": challenge, "code": code}).to_string();
    let reply = h
        .raw(
            Domain::App,
            "POST",
            "/v1/auth/verify",
            headers,
            body.into_bytes(),
        )
        .await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    reply.string("token")
}

/// Signs a staff member in by email from `ua`; the new token.
async fn staff_sign_in(h: &Harness, email: &str, ua: Option<&str>) -> String {
    let challenge = h.email_challenge(email).await;
    let code = moto::latest_email_code(email).expect("code emailed");
    verify_from(h, &challenge, &code, ua).await
}

/// Signs a patient in by phone from `ua`; the new token.
async fn patient_sign_in(h: &Harness, phone: &str, ua: Option<&str>) -> String {
    let started = h.public().auth_start(json!({ "phone": phone })).await;
    assert_eq!(started.status, 202, "{}", started.text);
    let code = moto::latest_sms_code(phone).expect("code texted");
    verify_from(h, &started.string("challenge_id"), &code, ua).await
}

/// The phone a patient fixture signed up with (from the account's profile item).
async fn patient_phone(h: &Harness, account: &str) -> String {
    let account: AccountId = account.parse().unwrap();
    let out =
        h.db.get_item()
            .table_name(h.table())
            .key("pk", AttributeValue::S(keys::account_pk(&account)))
            .key("sk", AttributeValue::S(keys::PROFILE_SK.into()))
            .send()
            .await
            .unwrap();
    let profile: AccountItem = serde_dynamo::from_item(out.item.unwrap()).unwrap();
    profile.phone.unwrap().as_str().to_string()
}

fn items(reply: &Reply) -> Vec<Value> {
    assert_eq!(reply.status, 200, "{}", reply.text);
    reply.items()
}

fn current(reply: &Reply) -> Value {
    let mine: Vec<Value> = items(reply)
        .into_iter()
        .filter(|s| s["current"] == json!(true))
        .collect();
    assert_eq!(mine.len(), 1, "exactly one current session: {}", reply.text);
    mine[0].clone()
}

#[tokio::test]
async fn logout_ends_only_the_callers_session() {
    let (h, owner) = Harness::with_practice("Logout Clinic").await;
    let other_device = staff_sign_in(&h, &owner.email, Some(MAC)).await;
    let out = call(&h, "POST", "/v1/auth/logout", &owner.token, None).await;
    assert_eq!(out.status, 204, "{}", out.text);
    assert!(
        !works(&h, &owner.token).await,
        "the token is refused after logout"
    );
    let again = call(&h, "POST", "/v1/auth/logout", &owner.token, None).await;
    assert_eq!(again.status, 401);
    let inbox = h.api(&owner).inbox("").await;
    assert_eq!(inbox.status, 401, "every route refuses it");
    assert!(
        works(&h, &other_device).await,
        "the other device stays signed in"
    );
    assert_eq!(items(&sessions(&h, &other_device).await).len(), 1);
}

#[tokio::test]
async fn sessions_are_listed_and_one_device_can_be_signed_out() {
    let (h, owner) = Harness::with_practice("Session List Clinic").await;
    let phone = staff_sign_in(&h, &owner.email, Some(IPHONE)).await;
    let mac = staff_sign_in(&h, &owner.email, Some(MAC)).await;

    let listed = sessions(&h, &phone).await;
    let all = items(&listed);
    assert_eq!(all.len(), 3, "{}", listed.text);
    let me = current(&listed);
    assert_eq!(me["user_agent"], json!(IPHONE));
    for s in &all {
        let id = s["id"].as_str().unwrap();
        assert!(id.starts_with("sess_") && id.len() == 37, "{id}");
        assert!(s["created_at"].as_str().unwrap().ends_with('Z'));
        assert!(s["last_used_at"].as_str().unwrap().ends_with('Z'));
        for token in [&owner.token, &phone, &mac] {
            assert!(
                !listed.text.contains(token.as_str()),
                "no token in the list"
            );
        }
    }
    let mac_id = all.iter().find(|s| s["user_agent"] == json!(MAC)).unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();

    // A listed id is not a token.
    assert!(
        !works(&h, &mac_id).await,
        "a session id is refused as a bearer"
    );

    let ended = call(
        &h,
        "DELETE",
        &format!("/v1/sessions/{mac_id}"),
        &phone,
        None,
    )
    .await;
    assert_eq!(ended.status, 204, "{}", ended.text);
    assert!(!works(&h, &mac).await, "that device is signed out");
    assert!(works(&h, &phone).await && works(&h, &owner.token).await);
    assert_eq!(items(&sessions(&h, &phone).await).len(), 2);
    let twice = call(
        &h,
        "DELETE",
        &format!("/v1/sessions/{mac_id}"),
        &phone,
        None,
    )
    .await;
    assert_eq!(twice.status, 404);
    assert_eq!(twice.error_code(), "not_found");
    for bad in ["x", "sess_ZZ", &"sess_0".repeat(7), &mac.clone()] {
        let reply = call(&h, "DELETE", &format!("/v1/sessions/{bad}"), &phone, None).await;
        assert_eq!(reply.status, 404, "{bad}: {}", reply.text);
    }
    // The current session can be ended by its id too.
    let my_id = current(&sessions(&h, &phone).await)["id"]
        .as_str()
        .unwrap()
        .to_string();
    let own = call(&h, "DELETE", &format!("/v1/sessions/{my_id}"), &phone, None).await;
    assert_eq!(own.status, 204);
    assert!(!works(&h, &phone).await);
}

#[tokio::test]
async fn another_accounts_sessions_are_neither_seen_nor_ended() {
    let (h, owner) = Harness::with_practice("Own Sessions Clinic").await;
    let stranger = h.new_practice("Stranger Sessions Clinic").await;
    let patient = h.new_patient(&owner, "Sal Session").await;
    let teammate = h.new_teammate(&owner, "admin").await;

    for victim in [&stranger.token, &patient.token, &teammate.token] {
        let victim_id = current(&sessions(&h, victim).await)["id"]
            .as_str()
            .unwrap()
            .to_string();
        for attacker in [&owner.token, &patient.token, &stranger.token] {
            if attacker == victim {
                continue;
            }
            let mine = sessions(&h, attacker).await;
            assert!(
                !mine.text.contains(&victim_id),
                "another account's session listed"
            );
            let path = format!("/v1/sessions/{victim_id}");
            let reply = call(&h, "DELETE", &path, attacker, None).await;
            assert_eq!(reply.status, 404, "{}", reply.text);
        }
        assert!(works(&h, victim).await, "the victim's session survived");
    }
    // Without a token, nothing.
    let anonymous = h.call("GET", "/v1/sessions", None, None).await;
    assert_eq!(anonymous.status, 401);
    let anonymous = h.call("DELETE", "/v1/sessions", None, None).await;
    assert_eq!(anonymous.status, 401);
}

#[tokio::test]
async fn signing_out_everywhere_ends_every_session_of_the_account_only() {
    let (h, owner) = Harness::with_practice("Everywhere Clinic").await;
    let teammate = h.new_teammate(&owner, "member").await;
    let second = staff_sign_in(&h, &owner.email, Some(MAC)).await;
    let all = call(&h, "DELETE", "/v1/sessions", &second, None).await;
    assert_eq!(all.status, 204, "{}", all.text);
    assert!(!works(&h, &second).await);
    assert!(!works(&h, &owner.token).await);
    assert!(
        works(&h, &teammate.token).await,
        "other accounts keep theirs"
    );
}

#[tokio::test]
async fn a_new_sign_in_on_a_device_rotates_that_devices_token() {
    let (h, owner) = Harness::with_practice("Rotation Clinic").await;
    let first = staff_sign_in(&h, &owner.email, Some(IPHONE)).await;
    let laptop = staff_sign_in(&h, &owner.email, Some(MAC)).await;
    let again = staff_sign_in(&h, &owner.email, Some(IPHONE)).await;
    assert!(
        !works(&h, &first).await,
        "the device's old token is refused"
    );
    assert!(works(&h, &again).await && works(&h, &laptop).await);
    assert!(
        works(&h, &owner.token).await,
        "no user agent, no device: kept"
    );
    let listed = sessions(&h, &again).await;
    let agents: Vec<Value> = items(&listed)
        .iter()
        .map(|s| s["user_agent"].clone())
        .collect();
    assert_eq!(agents.iter().filter(|a| **a == json!(IPHONE)).count(), 1);

    // Patients too (sign-in by phone on the same phone).
    let patient = h.new_patient(&owner, "Rhea Rotate").await;
    let phone = patient_phone(&h, &patient.account_id).await;
    let old = patient_sign_in(&h, &phone, Some(IPHONE)).await;
    let new = patient_sign_in(&h, &phone, Some(IPHONE)).await;
    assert!(!works(&h, &old).await && works(&h, &new).await);
    assert!(works(&h, &patient.token).await);
}

#[tokio::test]
async fn sessions_expire_staff_after_a_day_patients_thirty_days_after_last_use() {
    let clock = Arc::new(ManualClock::new(SystemClock.now_ms()));
    let h = Harness::with_clock(clock.clone()).await;
    let owner = h.new_practice("Expiry Clinic").await;
    let patient = h.new_patient(&owner, "Ezra Expiry").await;
    let phone = patient_phone(&h, &patient.account_id).await;
    let idle = patient_sign_in(&h, &phone, Some(MAC)).await;

    // Staff: used an hour before the end of the working day, still refused at its end.
    clock.advance_ms(STAFF_SESSION_MS - 3_600_000);
    assert!(works(&h, &owner.token).await);
    clock.advance_ms(3_600_000);
    assert!(
        !works(&h, &owner.token).await,
        "a staff session does not slide"
    );

    // Patients: each use moves the end to 30 days after it.
    clock.advance_ms(28 * DAY);
    assert!(works(&h, &patient.token).await, "day 29");
    let used = current(&sessions(&h, &patient.token).await);
    assert_ne!(
        used["last_used_at"], used["created_at"],
        "the use is recorded"
    );
    clock.advance_ms(29 * DAY);
    assert!(
        works(&h, &patient.token).await,
        "day 58, 29 days after the last use"
    );
    assert!(!works(&h, &idle).await, "unused for 30 days: expired");
    clock.advance_ms(PATIENT_SESSION_MS + 1);
    assert!(!works(&h, &patient.token).await, "30 days without use");
}
