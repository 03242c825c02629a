//! Standard conversations end to end (issue 10): SMS and email out through the stream
//! consumer, delivery status, inbound threading, keywords and opt-out, driven through the
//! dev server's stream emulation and `/_local/...` stand-ins, as a developer runs them.
//!
//! Tests of the stream consumer run on a table of their own ([`Private`]) whose stream
//! only their emulator reads, and drive it with `poll_once` (no timing involved).

mod complaints;
mod concurrent;
mod event_fixtures;
mod inbound;
mod invoke_script;
mod keywords;
mod latency;
mod outbound;
mod poison;
mod posting;
mod read_only;
mod redrive;
mod started;
mod to_secure;

use canopy_local::stream::StreamEmulator;
use canopy_shared::adapters::dynamo::{self, get_s, keys};
use canopy_shared::app::load_sdk_config;
use canopy_shared::domain::contact_info::{EmailAddress, PhoneNumber};
use canopy_shared::domain::ids::OrgId;
use canopy_shared::ports::standard::{OutboundSms, SendFailure, SmsSender};
use canopy_shared::ports::{Clock, ManualClock};
use canopy_shared::App;
use canopy_tests::fixtures::Staff;
use canopy_tests::{Harness, Reply};
use serde_json::{json, Value};
use std::collections::HashSet;
use std::sync::{Arc, Mutex};

/// A practice with its own number and reply address.
pub struct ChannelPractice {
    pub staff: Staff,
    pub org: OrgId,
    pub number: PhoneNumber,
    pub reply: EmailAddress,
}

/// Signs a practice up; its number and reply address came with it (`GET /v1/org`).
pub async fn practice(h: &Harness, name: &str) -> ChannelPractice {
    let staff = h.new_practice(name).await;
    let org: OrgId = staff.org_id.parse().unwrap();
    let shown = h.call("GET", "/v1/org", None, Some(&staff.token)).await;
    assert_eq!(shown.status, 200, "{}", shown.text);
    let body = shown.json();
    let number = body["sms_number"]
        .as_str()
        .expect("the local pool has numbers");
    let reply = body["reply_email"].as_str().expect("a reply address");
    ChannelPractice {
        staff,
        org,
        number: PhoneNumber::parse(number).unwrap(),
        reply: EmailAddress::parse(reply).unwrap(),
    }
}

/// `POST /_local/...` with a JSON body.
pub async fn stand_in(h: &Harness, path: &str, body: Value) -> Reply {
    h.call("POST", path, Some(body), None).await
}

// ---- the opening steps the channel tests share ------------------------------------

/// A text from `from` to the practice's number, through the stand-in (202 expected);
/// answers what the function made of it (`opened`, `threaded`, `opted_out`, …).
pub async fn text_in(h: &Harness, p: &ChannelPractice, from: &str, body: &str) -> String {
    let reply = stand_in(
        h,
        "/_local/sms/inbound",
        json!({"from": from, "to": p.number.as_str(), "body": body}),
    )
    .await;
    assert_eq!(reply.status, 202, "{}", reply.text);
    let result = &reply.json()["result"]["results"];
    assert_eq!(result.as_array().map(Vec::len), Some(1), "{}", reply.text);
    result[0].as_str().unwrap_or_default().to_string()
}

/// The practice's inbox rows (staff, first 100, newest first).
pub async fn inbox(h: &Harness, p: &ChannelPractice) -> Vec<Value> {
    let reply = h.api(&p.staff).inbox("?limit=100").await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    reply.items()
}

/// The id of the practice's conversation whose inbox preview is `preview` (e.g. the one a
/// text opened).
pub async fn conversation_with_preview(h: &Harness, p: &ChannelPractice, preview: &str) -> String {
    inbox(h, p)
        .await
        .iter()
        .find(|r| r["preview"] == preview)
        .and_then(|r| r["id"].as_str().map(str::to_string))
        .unwrap_or_else(|| panic!("no conversation shows {preview:?}"))
}

/// A contact of the practice through `POST /v1/contacts` (201 expected): its id.
pub async fn contact(h: &Harness, token: &str, body: Value) -> String {
    let made = h.api(token).create_contact(body).await;
    assert_eq!(made.status, 201, "{}", made.text);
    made.json()["id"].as_str().unwrap().to_string()
}

/// A standard conversation staff start with `contact` over `channel` (201 expected): its id.
pub async fn start_standard(h: &Harness, token: &str, contact: &str, channel: &str) -> String {
    let body = json!({"kind": "standard", "contact_id": contact, "channel": channel});
    let created = h.api(token).create_conversation(body).await;
    assert_eq!(created.status, 201, "{}", created.text);
    created.json()["id"].as_str().unwrap().to_string()
}

/// A staff post with a fresh client id (201 expected): the message.
pub async fn post(h: &Harness, token: &str, conversation: &str, text: &str) -> Value {
    let client_id = ulid::Ulid::new().to_string();
    let reply = h
        .api(token)
        .post_message(conversation, text, &client_id)
        .await;
    assert_eq!(reply.status, 201, "{}", reply.text);
    reply.json()
}

/// A client of the test's own for reading (and, to stand in for a post, writing) items
/// directly: the app's client is private to the adapters.
pub async fn db() -> aws_sdk_dynamodb::Client {
    let sdk = load_sdk_config().await;
    aws_sdk_dynamodb::Client::from_conf(canopy_shared::app::dynamodb_config(&sdk).build())
}

/// The stored item at `pk`/`sk` as JSON-ish attributes (consistent read).
pub async fn item(h: &Harness, pk: String, sk: &str) -> Option<dynamo::Item> {
    db().await
        .get_item()
        .table_name(h.app.table())
        .set_key(Some(dynamo::key(pk, sk)))
        .consistent_read(true)
        .send()
        .await
        .unwrap()
        .item
}

/// Opens a conversation the way a patient does (first inbound message) and returns it.
pub async fn sms_conversation(h: &Harness, p: &ChannelPractice, from: &str) -> String {
    assert_eq!(text_in(h, p, from, "hi").await, "opened");
    let thread = item(h, keys::thread_pk(&p.org, "sms", from), keys::THREAD_SK)
        .await
        .expect("thread");
    get_s(&thread, "latest_conversation_id")
        .unwrap()
        .to_string()
}

/// A conversation's meta item.
pub async fn meta(h: &Harness, conversation: &str) -> dynamo::Item {
    item(
        h,
        format!("CONV#{conversation}"),
        keys::CONVERSATION_META_SK,
    )
    .await
    .expect("conversation meta")
}

/// The staff inbox row of `conversation`.
pub async fn inbox_row(h: &Harness, p: &ChannelPractice, conversation: &str) -> Option<Value> {
    h.inbox_row(&p.staff.token, conversation).await
}

/// Texts sent to `phone` that moto recorded, with their SNS message ids.
pub fn sms_records(phone: &str) -> Vec<(String, String)> {
    moto_data()["sns"]["SMS"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|m| m["phone_number"] == phone)
        .map(|m| {
            (
                m["message_id"].as_str().unwrap_or_default().to_string(),
                m["message"].as_str().unwrap_or_default().to_string(),
            )
        })
        .collect()
}

/// Emails to `address` that moto recorded: (SES id, source, subject, body).
pub fn email_records(address: &str) -> Vec<(String, String, String, String)> {
    moto_data()["ses"]["Message"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|m| {
            m["destinations"]["ToAddresses"]
                .as_array()
                .is_some_and(|to| to.iter().any(|a| a == address))
        })
        .map(|m| {
            let s = |k: &str| m[k].as_str().unwrap_or_default().to_string();
            (s("id"), s("source"), s("subject"), s("body"))
        })
        .collect()
}

fn moto_data() -> Value {
    use std::io::{Read, Write};
    let base = std::env::var("MOTO_URL").expect("MOTO_URL");
    let authority = base.trim_start_matches("http://").trim_end_matches('/');
    let mut stream = std::net::TcpStream::connect(authority).expect("connect to moto");
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
    serde_json::from_str(body).unwrap_or(json!({}))
}

// ---- a table of one's own, with its stream emulator --------------------------------

/// A harness on a table of its own whose stream only this test's emulator reads (as Lambda
/// runs one poller per shard: two pollers on one stream would each send what the other
/// sends). Its SMS sender fails chosen texts once ([`Private::fail_once`]), refuses them
/// for good ([`Private::refuse_once`]), or fails them until told otherwise
/// ([`Private::provider_down_for`]).
pub struct Private {
    pub h: Harness,
    pub stream: StreamEmulator,
    faults: SmsFaults,
}

/// The texts the test's SMS sender fails, by kind of failure.
#[derive(Clone, Default)]
struct SmsFaults {
    fail_once: Arc<Mutex<HashSet<String>>>,
    refuse_once: Arc<Mutex<HashSet<String>>>,
    down: Arc<Mutex<HashSet<String>>>,
}

impl Private {
    pub async fn new() -> Self {
        Self::build(|_| {}).await
    }

    /// With a clock the test moves (the re-drive of stuck messages falling due).
    pub async fn with_clock(clock: Arc<ManualClock>) -> Self {
        Self::build(move |app| app.clock = clock as Arc<dyn Clock>).await
    }

    async fn build(adjust: impl FnOnce(&mut App)) -> Self {
        let mut settings = canopy_tests::settings().await;
        settings.table_name = format!("canopy-channels-{}", ulid::Ulid::new());
        let sdk = load_sdk_config().await;
        let mut app = App::from_parts(&sdk, settings);
        adjust(&mut app);
        let template = canopy_local::template::load_default().expect("template");
        canopy_local::table::ensure_table(&db().await, app.table(), &template.table().unwrap())
            .await
            .expect("create table");
        let faults = SmsFaults::default();
        app.channels.sms = Arc::new(FaultySms(app.channels.sms.clone(), faults.clone()));
        let h = Harness::with_app(app);
        let stream = StreamEmulator::new(h.app.clone(), &template)
            .await
            .expect("the table has a stream");
        Self { h, stream, faults }
    }

    /// Every send of exactly this text fails (provider unavailable) until
    /// [`Private::provider_back_for`].
    pub fn provider_down_for(&self, text: &str) {
        if let Ok(mut set) = self.faults.down.lock() {
            set.insert(text.to_string());
        }
    }

    pub fn provider_back_for(&self, text: &str) {
        if let Ok(mut set) = self.faults.down.lock() {
            set.remove(text);
        }
    }

    /// The next send of exactly this text is refused by the provider for good (as End User
    /// Messaging refuses an invalid or blocked number): `SendFailure::Refused`.
    pub fn refuse_once(&self, text: &str) {
        if let Ok(mut set) = self.faults.refuse_once.lock() {
            set.insert(text.to_string());
        }
    }

    /// The next send of exactly this text fails once (provider unavailable), so its stream
    /// record is reported as failed and retried.
    pub fn fail_once(&self, text: &str) {
        if let Ok(mut set) = self.faults.fail_once.lock() {
            set.insert(text.to_string());
        }
    }

    /// Polls the stream until a poll reads nothing new; returns the records read.
    pub async fn drain(&mut self) -> usize {
        let mut total = 0;
        loop {
            let read = self.stream.poll_once().await.expect("stream poll");
            if read == 0 {
                return total;
            }
            total += read;
        }
    }
}

struct FaultySms(Arc<dyn SmsSender>, SmsFaults);

#[async_trait::async_trait]
impl SmsSender for FaultySms {
    async fn send_sms(&self, sms: &OutboundSms<'_>) -> Result<String, SendFailure> {
        let take = |set: &Arc<Mutex<HashSet<String>>>| {
            set.lock().map(|mut s| s.remove(sms.text)).unwrap_or(false)
        };
        let down = self
            .1
            .down
            .lock()
            .map(|s| s.contains(sms.text))
            .unwrap_or(false);
        if down || take(&self.1.fail_once) {
            return Err(SendFailure::Unavailable);
        }
        let refuse = take(&self.1.refuse_once);
        if refuse {
            return Err(SendFailure::Refused(
                "the number cannot receive texts".into(),
            ));
        }
        self.0.send_sms(sms).await
    }
}
