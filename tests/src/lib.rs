//! Test harness for the workspace's integration tests: an in-process Canopy (the same
//! [`Router`] the dev server uses, so routes come from `template.yaml` and each function
//! authenticates its callers) against the local stack started by `scripts/test.sh`, plus readers for what moto
//! recorded as sent.
//!
//! - [`api`]: the typed client, one method per route of the HTTP contract
//!   (`h.api(&staff).post_message(conv, text, client_id)`), and the link domain's pages.
//! - [`fixtures`]: actors and state built through the API, grouped by aggregate.
//! - [`stored`]: the few reads of stored items that tests assert on, in one place.

pub mod api;
pub mod fixtures;
pub mod logs;
pub mod moto;
pub mod settle;
pub mod stored;

use canopy_local::event::RawRequest;
use canopy_local::router::Router;
use canopy_local::template::{self, Api};
use canopy_shared::app::load_sdk_config;
use canopy_shared::config::Settings;
use canopy_shared::ports::Clock;
use canopy_shared::App;
use serde_json::Value;
use std::collections::BTreeMap;
use std::sync::Arc;
use tokio::sync::OnceCell;

/// One table per test-binary run, created from `template.yaml` on first use.
static TABLE: OnceCell<String> = OnceCell::const_new();

/// Fails loudly (never skips) when the stack is not up: run tests through `scripts/test.sh`.
pub fn require_stack() {
    assert!(
        std::env::var("AWS_ENDPOINT_URL_DYNAMODB").is_ok() && std::env::var("MOTO_URL").is_ok(),
        "The local stack is not running. Run the tests with `scripts/test.sh` (it starts DynamoDB Local and moto)."
    );
}

async fn shared_table() -> String {
    TABLE
        .get_or_init(|| async {
            require_stack();
            let name = format!("canopy-test-{}-{}", std::process::id(), ulid::Ulid::new());
            let sdk = load_sdk_config().await;
            let db = aws_sdk_dynamodb::Client::from_conf(
                canopy_shared::app::dynamodb_config(&sdk).build(),
            );
            let def = template::load_default()
                .expect("template.yaml")
                .table()
                .expect("table definition");
            canopy_local::table::ensure_table(&db, &name, &def)
                .await
                .expect("create test table");
            name
        })
        .await
        .clone()
}

/// The shared test table's name, once it exists.
pub fn shared_table_name() -> Option<String> {
    TABLE.get().cloned()
}

/// Settings as the stack's environment gives them, with the test table. An app built from
/// them reads the pepper from the stack's Secrets Manager as a deployed function does
/// (`OTP_PEPPER_SECRET_ID`, `canopy_shared::app::pepper_for`).
pub async fn settings() -> Settings {
    require_stack();
    let table = shared_table().await;
    std::env::set_var("TABLE_NAME", &table);
    let mut settings = Settings::from_env().expect("stack environment");
    // Every test practice is minutes old, and one test may invite more patients than a new
    // practice may in its first hour: the suite runs with the established practices'
    // ceilings raised (tests/integration/hardening/invites_budget.rs tests the defaults).
    settings.invite_budgets.new_practice_hour = 1_000;
    settings.invite_budgets.new_practice_day = 1_000;
    settings.invite_budgets.per_practice_hour = 1_000;
    settings.invite_budgets.per_practice_day = 1_000;
    settings
}

/// A fresh client address (IPv6 documentation range) for each request that names none, so
/// the suite's tests never share a per-address budget (`access::send_budgets`).
pub fn test_address() -> String {
    let n = ulid::Ulid::new().random();
    format!(
        "2001:db8:{:x}:{:x}::{:x}",
        (n >> 32) as u16,
        (n >> 16) as u16,
        n as u16
    )
}

/// An answer from the API.
#[derive(Debug, Clone)]
pub struct Reply {
    pub status: u16,
    pub headers: http::HeaderMap,
    pub text: String,
}

impl Reply {
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.text).unwrap_or(Value::Null)
    }
    /// A top-level string field of the body (`id`, `challenge_id`, `token`…).
    pub fn string(&self, field: &str) -> String {
        self.json()[field]
            .as_str()
            .unwrap_or_else(|| panic!("no string {field} in {}", self.text))
            .to_string()
    }
    /// `items` of a list body.
    pub fn items(&self) -> Vec<Value> {
        self.json()["items"].as_array().cloned().unwrap_or_default()
    }
    /// The `id` of every item of a list body.
    pub fn ids(&self) -> Vec<String> {
        self.items()
            .iter()
            .map(|i| i["id"].as_str().unwrap().to_string())
            .collect()
    }
    /// `error.code` of an error body.
    pub fn error_code(&self) -> String {
        self.json()["error"]["code"]
            .as_str()
            .unwrap_or_default()
            .to_string()
    }
    /// `error.message` of an error body (panics when there is none).
    pub fn error_message(&self) -> String {
        self.json()["error"]["message"]
            .as_str()
            .unwrap_or_else(|| panic!("no error message in {}", self.text))
            .to_string()
    }
    pub fn header(&self, name: &str) -> Option<String> {
        self.headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string)
    }
}

impl From<lambda_http::Response<lambda_http::Body>> for Reply {
    fn from(response: lambda_http::Response<lambda_http::Body>) -> Self {
        let (parts, body) = response.into_parts();
        let text = match body {
            lambda_http::Body::Text(t) => t,
            lambda_http::Body::Binary(b) => String::from_utf8_lossy(&b).into_owned(),
            _ => String::new(),
        };
        Reply {
            status: parts.status.as_u16(),
            headers: parts.headers,
            text,
        }
    }
}

pub struct Harness {
    pub app: Arc<App>,
    pub router: Arc<Router>,
    /// The harness's own client on the test table: its calls are not counted in
    /// `app.db_calls`, and it does not depend on how `App` holds its store.
    pub db: aws_sdk_dynamodb::Client,
}

impl Harness {
    pub async fn new() -> Self {
        let settings = settings().await;
        let sdk = load_sdk_config().await;
        Self::with_app(App::from_parts(&sdk, settings))
    }

    /// A harness whose app uses the given clock (for expiry tests).
    pub async fn with_clock(clock: Arc<dyn Clock>) -> Self {
        let settings = settings().await;
        let sdk = load_sdk_config().await;
        let mut app = App::from_parts(&sdk, settings);
        app.clock = clock;
        Self::with_app(app)
    }

    pub fn with_app(app: App) -> Self {
        logs::install();
        let template = template::load_default().expect("template.yaml");
        let router = Router::from_template(&template).expect("routes");
        let sdk = futures::executor::block_on(load_sdk_config());
        let db =
            aws_sdk_dynamodb::Client::from_conf(canopy_shared::app::dynamodb_config(&sdk).build());
        Self {
            app: Arc::new(app),
            router: Arc::new(router),
            db,
        }
    }

    /// The table the app under test uses.
    pub fn table(&self) -> &str {
        self.app.table()
    }

    /// Sends a request to the app API (JSON body, optional bearer token).
    pub async fn call(
        &self,
        method: &str,
        path: &str,
        body: Option<Value>,
        token: Option<&str>,
    ) -> Reply {
        let mut headers = BTreeMap::new();
        if let Some(t) = token {
            headers.insert("authorization".to_string(), format!("Bearer {t}"));
        }
        let bytes = match body {
            Some(b) => {
                headers.insert("content-type".into(), "application/json".into());
                b.to_string().into_bytes()
            }
            None => Vec::new(),
        };
        self.raw(Api::App, method, path, headers, bytes).await
    }

    /// Sends a raw request to either API.
    pub async fn raw(
        &self,
        api: Api,
        method: &str,
        path_and_query: &str,
        headers: BTreeMap<String, String>,
        body: Vec<u8>,
    ) -> Reply {
        let ip = test_address();
        self.raw_from(&ip, api, method, path_and_query, headers, body)
            .await
    }

    /// [`Harness::raw`] from the client address `ip`, as API Gateway would put it in the
    /// request context (`requestContext.http.sourceIp`): how tests simulate several clients.
    pub async fn raw_from(
        &self,
        ip: &str,
        api: Api,
        method: &str,
        path_and_query: &str,
        headers: BTreeMap<String, String>,
        body: Vec<u8>,
    ) -> Reply {
        let (path, query) = path_and_query
            .split_once('?')
            .unwrap_or((path_and_query, ""));
        let raw = RawRequest {
            method: method.to_string(),
            path: path.to_string(),
            query: query.to_string(),
            headers,
            body,
            source_ip: ip.to_string(),
        };
        // Boxed: the router's future holds every handler's, and tests await many of them
        // in one task whose future would otherwise grow past a test thread's stack.
        Reply::from(Box::pin(self.router.dispatch(&self.app, api, raw)).await)
    }

    /// DynamoDB operations this harness's app has made so far.
    pub fn db_calls(&self) -> usize {
        self.app.db_calls.count()
    }
}
