//! The routes measured warm, each against its floor: the same DynamoDB requests the handler
//! sent (recorded at the HTTP layer), replayed straight to DynamoDB Local in the same order
//! (concurrently where the handler issues them concurrently).

use crate::raw_client::{client, send, HttpClient};
use crate::recorder::{waves, Recorded, Recorder};
use crate::warm::Sample;
use canopy_local::event::{api_gateway_event, RawRequest};
use canopy_shared::adapters::dynamo::Dynamo;
use canopy_shared::app::load_sdk_config;
use canopy_shared::App;
use canopy_tests::fixtures::Staff;
use canopy_tests::Harness;
use serde_json::{json, Value};
use std::collections::BTreeMap;

pub struct Bench {
    pub h: Harness,
    pub recorder: Recorder,
    pub http: HttpClient,
    pub endpoint: String,
    /// A plain client for the SDK floor: its one interceptor is a recorder, paused except
    /// for `--phases` (`crate::warm_phases`).
    pub direct: aws_sdk_dynamodb::Client,
    pub direct_recorder: Recorder,
}

impl Bench {
    pub async fn new() -> Self {
        let settings = canopy_tests::settings().await;
        let sdk = load_sdk_config().await;
        let mut app = App::from_parts(&sdk, settings);
        let recorder = Recorder::default();
        let config = canopy_shared::app::dynamodb_config(&sdk)
            .interceptor(app.db_calls.clone())
            .interceptor(recorder.clone())
            .build();
        let table = app.table().to_string();
        app.store = Dynamo::new(aws_sdk_dynamodb::Client::from_conf(config), table);
        let direct_recorder = Recorder::default();
        direct_recorder.pause(true);
        let direct = aws_sdk_dynamodb::Client::from_conf(
            canopy_shared::app::dynamodb_config(&sdk)
                .interceptor(direct_recorder.clone())
                .build(),
        );
        Self {
            direct,
            direct_recorder,
            h: Harness::with_app(app),
            recorder,
            http: client(),
            endpoint: std::env::var("AWS_ENDPOINT_URL_DYNAMODB")
                .expect("AWS_ENDPOINT_URL_DYNAMODB"),
        }
    }

    /// The `authorization` header for a token (each handler resolves it itself, as in
    /// AWS: its reads are part of every measured call).
    pub async fn context(&self, token: &str) -> Option<String> {
        Some(format!("Bearer {token}"))
    }

    /// The event JSON for a route, as Lambda would receive it.
    pub fn event(
        &self,
        method: &str,
        route_key: &str,
        path: &str,
        body: Option<Value>,
        authorization: Option<&String>,
        headers: &[(&str, &str)],
    ) -> String {
        let mut params = BTreeMap::new();
        let pattern: Vec<&str> = route_key
            .split_once(' ')
            .map(|(_, p)| p)
            .unwrap_or("")
            .split('/')
            .collect();
        let (path_only, query) = path.split_once('?').unwrap_or((path, ""));
        for (p, s) in pattern.iter().zip(path_only.split('/')) {
            if let Some(name) = p.strip_prefix('{').and_then(|p| p.strip_suffix('}')) {
                params.insert(name.to_string(), s.to_string());
            }
        }
        let mut header_map: BTreeMap<String, String> = headers
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        if body.is_some() {
            header_map.insert("content-type".into(), "application/json".into());
        }
        if let Some(value) = authorization {
            header_map.insert("authorization".into(), value.clone());
        }
        let raw = RawRequest {
            method: method.into(),
            path: path_only.into(),
            query: query.into(),
            headers: header_map,
            body: body.map(|b| b.to_string().into_bytes()).unwrap_or_default(),
            source_ip: "127.0.0.1".into(),
        };
        api_gateway_event(&raw, route_key, &params, "bench").to_string()
    }

    /// Runs one handler call for an event (parse + handle, as the Lambda runtime would).
    pub async fn invoke(&self, function: &str, event: &str) -> (u16, String) {
        let request = lambda_http::request::from_str(event).expect("event");
        let response = canopy_local::functions::invoke(function, &self.h.app, request)
            .await
            .expect("function");
        let status = response.status().as_u16();
        let body = match response.into_body() {
            lambda_http::Body::Text(t) => t,
            _ => String::new(),
        };
        (status, body)
    }

    /// One handler call with its DynamoDB requests recorded (the floor's template); the
    /// recorder is paused again afterwards, so the timed calls record nothing.
    pub async fn recorded(&self, function: &str, event: &str) -> ((u16, String), Vec<Recorded>) {
        self.recorder.take();
        self.recorder.pause(false);
        let answer = self.invoke(function, event).await;
        self.recorder.pause(true);
        (answer, self.recorder.take())
    }

    /// Sends prepared waves ([`crate::floor`]) through the SDK, one after the other, each
    /// wave's requests at once: the handler's own concurrency ([`crate::recorder::waves`]).
    pub async fn sdk_send_waves(&self, waves: &[Vec<crate::sdk_replay::Prepared>]) {
        for wave in waves {
            for sent in futures::future::join_all(wave.iter().map(|p| p.send())).await {
                if let Err(e) = sent {
                    panic!("SDK replay failed: {e}");
                }
            }
        }
    }

    /// Recorded waves as raw HTTP, like [`Self::sdk_send_waves`].
    pub async fn replay_waves(&self, waves: &[Vec<Recorded>]) {
        for wave in waves {
            self.replay(wave, true).await;
        }
    }

    /// Replays recorded requests as raw HTTP (no SDK at all); `concurrent` sends them all at once.
    pub async fn replay(&self, requests: &[Recorded], concurrent: bool) {
        if concurrent {
            let all = requests.iter().map(|r| {
                send(
                    &self.http,
                    "POST",
                    &self.endpoint,
                    &r.headers,
                    r.body.clone(),
                )
            });
            for (status, body) in futures::future::join_all(all).await {
                assert!(status == 200, "replay failed: {status} {body}");
            }
        } else {
            for r in requests {
                let (status, body) = send(
                    &self.http,
                    "POST",
                    &self.endpoint,
                    &r.headers,
                    r.body.clone(),
                )
                .await;
                assert!(status == 200, "replay failed: {status} {body}");
            }
        }
    }
}

pub async fn practice_with_conversation(b: &Bench) -> (Staff, String, String) {
    let owner = b.h.new_practice("Bench Clinic").await;
    let patient = b.h.new_patient(&owner, "Pat Bench").await;
    let conversation =
        b.h.new_conversation(&owner, &[&patient.contact_id], None)
            .await;
    (owner, patient.token, conversation)
}

/// The routes whose name contains `only` (all of them without it).
pub async fn all(n: usize, only: Option<&str>) -> Vec<Sample> {
    let want = |name: &str| only.is_none_or(|o| name.contains(o));
    let bench = Bench::new().await;
    let b = &bench;
    // Recording only where a floor is taken ([`Bench::recorded`]).
    b.recorder.pause(true);
    let mut samples = Vec::new();

    // Link click: the link's GetItem and the count's UpdateItem, concurrently.
    let click_name = "GET /{code} (click)";
    if want(click_name) {
        let owner = b.h.new_practice("Bench Clinic").await;
        let code = b.h.new_link(&owner, &[]).await.code;
        let click = b.event(
            "GET",
            "GET /{code}",
            &format!("/{code}"),
            None,
            None,
            &[("user-agent", "Mozilla/5.0 (X11; Linux x86_64)")],
        );
        let ((status, _), floor) = b.recorded("LinkPagesFunction", &click).await;
        assert_eq!(status, 200);
        samples.push(timed(b, click_name, "LinkPagesFunction", &click, waves(floor), n).await);
    }

    // A staff inbox page and a messages page, on a conversation with 30 messages.
    let (owner, _patient, conversation) = practice_with_conversation(b).await;
    let ctx = b.context(&owner.token).await.expect("owner context");
    for i in 0..30 {
        let post = b.event(
            "POST",
            "POST /v1/conversations/{id}/messages",
            &format!("/v1/conversations/{conversation}/messages"),
            Some(json!({"text": format!("Message {i}"), "client_message_id": format!("seed-{i}")})),
            Some(&ctx),
            &[],
        );
        assert_eq!(b.invoke("MessagesFunction", &post).await.0, 201);
    }
    for (name, function, route, path) in [
        (
            "GET /v1/conversations (staff inbox page)",
            "ConversationsFunction",
            "GET /v1/conversations",
            "/v1/conversations".to_string(),
        ),
        (
            "GET /v1/conversations/{id}/messages (page of 25)",
            "MessagesFunction",
            "GET /v1/conversations/{id}/messages",
            format!("/v1/conversations/{conversation}/messages"),
        ),
    ] {
        if !want(name) {
            continue;
        }
        let event = b.event("GET", route, &path, None, Some(&ctx), &[]);
        let ((status, _), floor) = b.recorded(function, &event).await;
        assert_eq!(status, 200);
        samples.push(timed(b, name, function, &event, waves(floor), n).await);
    }

    if want(crate::warm_post::NAME) {
        samples.push(crate::warm_post::post(b, &ctx, &conversation, n).await);
    }
    finish(b, n, want, samples).await
}

/// The read receipt and the attachment post, when wanted.
async fn finish(
    b: &Bench,
    n: usize,
    want: impl Fn(&str) -> bool,
    mut samples: Vec<Sample>,
) -> Vec<Sample> {
    // Read receipt of the newest message (the patient reads what staff just posted).
    if want(crate::warm_read::NAME) {
        samples.push(crate::warm_read::read_receipt(b, n).await);
    }
    if want(crate::warm_attachments::NAME) {
        samples.push(crate::warm_attachments::attach_and_post(b, n).await);
    }
    samples
}

/// `n` calls of a read-only route (the same event each time) against its recorded waves
/// replayed through the SDK and as raw HTTP ([`crate::floor`]), interleaved call by call so
/// that the machine's load (shared cores) weighs on the handler and its floor alike.
async fn timed(
    b: &Bench,
    name: &str,
    function: &str,
    event: &str,
    floor: Vec<Vec<Recorded>>,
    n: usize,
) -> Sample {
    let calls = crate::floor::calls(&b.direct, &floor, n);
    let mut sample = Sample::new(name, n);
    for call in &calls {
        sample.time_handler(b, function, event, 200).await;
        sample.time_sdk(b, call).await;
        sample.time_raw(b, call).await;
    }
    if crate::warm_phases::wanted() {
        crate::warm_phases::print(b, name, function, event, &floor, n).await;
    }
    sample
}
