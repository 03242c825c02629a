//! The routes measured warm, each against its floor: the same DynamoDB requests the handler
//! sent (recorded at the HTTP layer), replayed straight to DynamoDB Local in the same order
//! (concurrently where the handler issues them concurrently).

use crate::raw_client::{client, send, HttpClient};
use crate::recorder::{Recorded, Recorder};
use crate::warm::{time_calls, Sample};
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
    /// A plain client (no interceptors) for the SDK floor.
    pub direct: aws_sdk_dynamodb::Client,
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
        let direct =
            aws_sdk_dynamodb::Client::from_conf(canopy_shared::app::dynamodb_config(&sdk).build());
        Self {
            direct,
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

    /// Replays recorded requests through the SDK (the floor the handler is compared with);
    /// `concurrent` sends them all at once, as the handler did.
    pub async fn sdk_replay(&self, requests: &[Recorded], concurrent: bool) {
        let target = |r: &Recorded| {
            r.headers
                .iter()
                .find(|(k, _)| k.eq_ignore_ascii_case("x-amz-target"))
                .map(|(_, v)| v.clone())
                .unwrap_or_default()
        };
        if concurrent {
            let all = requests.iter().map(|r| {
                let t = target(r);
                async move { crate::sdk_replay::send(&self.direct, &t, &r.body).await }
            });
            futures::future::join_all(all).await;
        } else {
            for r in requests {
                crate::sdk_replay::send(&self.direct, &target(r), &r.body).await;
            }
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

pub async fn all(n: usize) -> Vec<Sample> {
    let bench = Bench::new().await;
    let b = &bench;
    let mut samples = Vec::new();

    // Link click: one UpdateItem resolves and counts.
    let owner = b.h.new_practice("Bench Clinic").await;
    let link =
        b.h.call(
            "POST",
            "/v1/links",
            Some(json!({"label": "Bench"})),
            Some(&owner.token),
        )
        .await
        .json();
    let code = link["code"].as_str().expect("code").to_string();
    let click = b.event(
        "GET",
        "GET /{code}",
        &format!("/{code}"),
        None,
        None,
        &[("user-agent", "Mozilla/5.0 (X11; Linux x86_64)")],
    );
    b.recorder.take();
    assert_eq!(b.invoke("LinkPagesFunction", &click).await.0, 200);
    let floor = b.recorder.take();
    let handler = time_calls(n, |_| async {
        assert_eq!(b.invoke("LinkPagesFunction", &click).await.0, 200)
    })
    .await;
    let direct = time_calls(n, |_| b.sdk_replay(&floor, false)).await;
    let raw = time_calls(n, |_| b.replay(&floor, false)).await;
    samples.push(Sample {
        name: "GET /{code} (click)".into(),
        handler,
        direct,
        raw,
    });

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
    for (name, function, route, path, concurrent) in [
        (
            "GET /v1/conversations (staff inbox page)",
            "ConversationsFunction",
            "GET /v1/conversations",
            "/v1/conversations".to_string(),
            // The page's Query and its proving audit write go out together.
            true,
        ),
        (
            "GET /v1/conversations/{id}/messages (page of 25)",
            "MessagesFunction",
            "GET /v1/conversations/{id}/messages",
            format!("/v1/conversations/{conversation}/messages"),
            true,
        ),
    ] {
        let event = b.event("GET", route, &path, None, Some(&ctx), &[]);
        b.recorder.take();
        assert_eq!(b.invoke(function, &event).await.0, 200);
        let floor = b.recorder.take();
        let handler = time_calls(n, |_| async {
            assert_eq!(b.invoke(function, &event).await.0, 200)
        })
        .await;
        let direct = time_calls(n, |_| b.sdk_replay(&floor, concurrent)).await;
        let raw = time_calls(n, |_| b.replay(&floor, concurrent)).await;
        samples.push(Sample {
            name: name.into(),
            handler,
            direct,
            raw,
        });
    }

    // Post: the floor replays the handler's transaction with fresh ids substituted.
    let post_event = |i: usize| {
        b.event(
            "POST",
            "POST /v1/conversations/{id}/messages",
            &format!("/v1/conversations/{conversation}/messages"),
            Some(json!({"text": "How are you feeling today?", "client_message_id": format!("bench-{i}")})),
            Some(&ctx),
            &[],
        )
    };
    b.recorder.take();
    let (status, body) = b.invoke("MessagesFunction", &post_event(usize::MAX)).await;
    assert_eq!(status, 201, "{body}");
    let template = b.recorder.take();
    let template_id = serde_json::from_str::<Value>(&body).expect("json")["id"]
        .as_str()
        .expect("id")
        .to_string();
    let handler = time_calls(n, |i| {
        let event = post_event(i);
        async move { assert_eq!(b.invoke("MessagesFunction", &event).await.0, 201) }
    })
    .await;
    let fresh_requests = |i: usize, tag: &str| -> Vec<Recorded> {
        let fresh = format!("msg_{}", ulid::Ulid::new());
        template
            .iter()
            .map(|r| {
                let body = r
                    .body
                    .replace(&template_id, &fresh)
                    .replace(&format!("bench-{}", usize::MAX), &format!("{tag}-{i}"));
                // A transaction's ClientRequestToken must be new for new parameters.
                let mut json: Value = serde_json::from_str(&body).expect("json body");
                if json.get("ClientRequestToken").is_some() {
                    json["ClientRequestToken"] = json!(ulid::Ulid::new().to_string());
                }
                Recorded {
                    body: json.to_string(),
                    ..r.clone()
                }
            })
            .collect()
    };
    let direct = time_calls(n, |i| {
        let requests = fresh_requests(i, "sdk");
        async move { b.sdk_replay(&requests, false).await }
    })
    .await;
    let raw = time_calls(n, |i| {
        let requests = fresh_requests(i, "raw");
        async move { b.replay(&requests, false).await }
    })
    .await;
    samples.push(Sample {
        name: "POST /v1/conversations/{id}/messages".into(),
        handler,
        direct,
        raw,
    });

    // Read receipt of the newest message (the patient reads what staff just posted).
    samples.push(crate::warm_read::read_receipt(b, n).await);
    samples.push(crate::warm_attachments::attach_and_post(b, n).await);
    samples
}
