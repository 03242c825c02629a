//! Notifications and sync end to end (issue 11): devices, pushes (read back from moto's
//! `sns.PlatformEndpoint[].messages`), unread reminders, the change feed and the inbox rows
//! the stream consumer keeps, driven through the dev server's router and stream emulation.
//!
//! Each test runs on a table of its own whose stream only its emulator reads (two pollers
//! on one stream would each do what the other does), and drains the stream with
//! `poll_once` instead of waiting for time to pass.

mod devices;
mod latency;
mod push;
mod reminders;
mod sync;

use canopy_local::stream::StreamEmulator;
use canopy_shared::app::load_sdk_config;
use canopy_shared::domain::ids::{AccountId, OrgId};
use canopy_shared::ports::notifications::NotifyStore;
use canopy_shared::ports::{Clock, ManualClock};
use canopy_shared::App;
use canopy_tests::fixtures::{Patient, Staff};
use canopy_tests::Harness;
use serde_json::{json, Value};
use std::io::{Read, Write};
use std::net::TcpStream;
use std::sync::Arc;

/// A harness on a private table with its stream emulator.
pub struct Notify {
    pub h: Harness,
    pub stream: StreamEmulator,
}

impl Notify {
    pub async fn new() -> Self {
        Self::build(|_| {}).await
    }

    /// With a clock the test moves (reminders falling due, feed retention).
    pub async fn with_clock(clock: Arc<ManualClock>) -> Self {
        Self::build(move |app| app.clock = clock.clone() as Arc<dyn Clock>).await
    }

    /// With the app adjusted before it is shared (a failing push gateway, a clock).
    pub async fn build(adjust: impl FnOnce(&mut App)) -> Self {
        let mut settings = canopy_tests::settings().await;
        settings.table_name = format!("canopy-notify-{}", ulid::Ulid::new());
        let sdk = load_sdk_config().await;
        let mut app = App::from_parts(&sdk, settings);
        adjust(&mut app);
        let template = canopy_local::template::load_default().expect("template");
        let admin =
            aws_sdk_dynamodb::Client::from_conf(canopy_shared::app::dynamodb_config(&sdk).build());
        canopy_local::table::ensure_table(&admin, app.table(), &template.table().unwrap())
            .await
            .expect("create table");
        let h = Harness::with_app(app);
        let stream = StreamEmulator::new(h.app.clone(), &template)
            .await
            .expect("the table has a stream");
        Self { h, stream }
    }

    /// Polls the stream until a poll reads nothing new.
    pub async fn drain(&mut self) {
        while self.stream.poll_once().await.expect("stream poll") > 0 {}
    }

    /// A practice with one patient in one secure conversation.
    pub async fn practice_with_patient(&self, name: &str) -> (Staff, Patient, String) {
        let staff = self.h.new_practice(name).await;
        let patient = self.h.new_patient(&staff, "Robin Vale").await;
        let conv = self
            .h
            .new_conversation(&staff, &[&patient.contact_id], None)
            .await;
        (staff, patient, conv)
    }

    /// Registers a device; returns (device id, token).
    pub async fn device(&self, token: &str, platform: &str) -> (String, String) {
        let device_token = random_token(platform);
        let reply = self
            .h
            .call(
                "POST",
                "/v1/devices",
                Some(json!({"platform": platform, "token": device_token})),
                Some(token),
            )
            .await;
        assert_eq!(reply.status, 201, "{}", reply.text);
        (
            reply.json()["id"].as_str().unwrap().to_string(),
            device_token,
        )
    }

    pub async fn post(&self, token: &str, conv: &str, text: &str) -> String {
        let reply = self
            .h
            .api(token)
            .post_message(conv, text, &ulid::Ulid::new().to_string())
            .await;
        assert_eq!(reply.status, 201, "{}", reply.text);
        reply.json()["id"].as_str().unwrap().to_string()
    }

    pub async fn read(&self, token: &str, conv: &str, message: &str) {
        let reply = self
            .h
            .call(
                "POST",
                &format!("/v1/conversations/{conv}/read"),
                Some(json!({"message_id": message})),
                Some(token),
            )
            .await;
        assert_eq!(reply.status, 200, "{}", reply.text);
    }

    /// Sets the practice's `unread_reminder_minutes` (None: never) through
    /// `PATCH /v1/org`, as an owner does.
    pub async fn reminder_minutes(&self, owner: &Staff, minutes: Option<u32>) {
        let reply = self
            .h
            .call(
                "PATCH",
                "/v1/org",
                Some(json!({"settings": {"unread_reminder_minutes": minutes}})),
                Some(&owner.token),
            )
            .await;
        assert_eq!(reply.status, 200, "{}", reply.text);
        assert_eq!(
            reply.json()["settings"]["unread_reminder_minutes"],
            json!(minutes)
        );
    }

    /// The patient's phone number, as their profile has it.
    pub async fn phone_of(&self, patient: &Patient) -> String {
        let account: AccountId = patient.account_id.parse().unwrap();
        let recipient = self.h.app.store.recipient(&account).await.unwrap().unwrap();
        recipient.phone.unwrap().as_str().to_string()
    }
}

pub fn org_of(staff: &Staff) -> OrgId {
    staff.org_id.parse().unwrap()
}

/// A token of the platform's shape, unique per call.
pub fn random_token(platform: &str) -> String {
    let id = ulid::Ulid::new().to_string().to_ascii_lowercase();
    match platform {
        "ios" => canopy_shared::domain::secrets::token_hash(&id),
        _ => format!("fcm-{id}:APA91b"),
    }
}

fn moto_data() -> Value {
    let base = std::env::var("MOTO_URL").expect("MOTO_URL");
    let authority = base.trim_start_matches("http://").trim_end_matches('/');
    let mut stream = TcpStream::connect(authority).expect("connect to moto");
    write!(
        stream,
        "GET /moto-api/data.json HTTP/1.0\r\nHost: {authority}\r\n\r\n"
    )
    .unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).unwrap();
    let body = response
        .split_once("\r\n\r\n")
        .map(|(_, b)| b)
        .unwrap_or("");
    serde_json::from_str(body).expect("moto data is JSON")
}

/// The pushes SNS sent to the endpoint of `token` (the raw published payloads).
pub fn pushes_to(token: &str) -> Vec<String> {
    moto_data()["sns"]["PlatformEndpoint"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|e| e["token"] == token)
        .flat_map(|e| {
            e["messages"]
                .as_object()
                .into_iter()
                .flat_map(|m| m.values())
                .filter_map(|v| v.as_str().map(str::to_string))
                .collect::<Vec<_>>()
        })
        .collect()
}

/// The endpoint ARN moto holds for `token`.
pub fn endpoint_of(token: &str) -> Option<String> {
    moto_data()["sns"]["PlatformEndpoint"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|e| e["token"] == token)
        .and_then(|e| e["arn"].as_str().map(str::to_string))
}
