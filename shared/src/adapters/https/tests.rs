//! When connectors are built: never by an SDK client's construction, once by the first call.

use super::*;
use crate::adapters::canned_server::{quick_sdk_config, server, Canned};
use std::sync::atomic::{AtomicUsize, Ordering};

/// An HTTP client that counts what the SDK asks of it and hands calls to `inner`.
#[derive(Debug)]
struct Counting {
    inner: SharedHttpClient,
    validations: Arc<AtomicUsize>,
    connectors: Arc<AtomicUsize>,
}

impl HttpClient for Counting {
    fn http_connector(
        &self,
        settings: &HttpConnectorSettings,
        components: &RuntimeComponents,
    ) -> SharedHttpConnector {
        self.connectors.fetch_add(1, Ordering::SeqCst);
        self.inner.http_connector(settings, components)
    }

    fn validate_base_client_config(
        &self,
        components: &RuntimeComponentsBuilder,
        cfg: &ConfigBag,
    ) -> Result<(), BoxError> {
        self.validations.fetch_add(1, Ordering::SeqCst);
        self.inner.validate_base_client_config(components, cfg)
    }
}

struct Counts {
    validations: Arc<AtomicUsize>,
    connectors: Arc<AtomicUsize>,
}

impl Counts {
    fn get(&self) -> (usize, usize) {
        (
            self.validations.load(Ordering::SeqCst),
            self.connectors.load(Ordering::SeqCst),
        )
    }
}

/// The SDK's hyper client (rustls, the compiled-in roots) inside a counter; `wrapped` puts the
/// counter inside [`ConnectorAtFirstCall`] as [`https_client`] does.
fn counted(wrapped: bool) -> (SharedHttpClient, Counts) {
    let validations = Arc::new(AtomicUsize::new(0));
    let connectors = Arc::new(AtomicUsize::new(0));
    let counting = Counting {
        inner: hyper_client(),
        validations: validations.clone(),
        connectors: connectors.clone(),
    };
    let client = if wrapped {
        ConnectorAtFirstCall(counting.into_shared()).into_shared()
    } else {
        counting.into_shared()
    };
    (
        client,
        Counts {
            validations,
            connectors,
        },
    )
}

fn dynamodb(http: SharedHttpClient, endpoint: &str) -> aws_sdk_dynamodb::Client {
    let sdk = quick_sdk_config("us-east-1")
        .into_builder()
        .http_client(http)
        .build();
    aws_sdk_dynamodb::Client::from_conf(
        aws_sdk_dynamodb::config::Builder::from(&sdk)
            .endpoint_url(endpoint)
            .build(),
    )
}

fn tables(names: &str) -> Canned {
    Canned {
        status: 200,
        headers: vec![("content-type", "application/x-amz-json-1.0".into())],
        body: format!("{{\"TableNames\":[{names}]}}").into_bytes(),
    }
}

#[tokio::test]
async fn building_an_sdk_client_asks_the_bare_client_for_a_throwaway_connector_and_the_wrapped_one_for_none(
) {
    let (bare, bare_counts) = counted(false);
    let _client = dynamodb(bare, "http://127.0.0.1:9");
    assert_eq!(
        bare_counts.get().0,
        1,
        "the SDK validates the bare hyper client, which builds a connector to do it"
    );

    let (wrapped, counts) = counted(true);
    let _a = dynamodb(wrapped.clone(), "http://127.0.0.1:9");
    let _b = dynamodb(wrapped, "http://127.0.0.1:9");
    assert_eq!(counts.get(), (0, 0), "two clients built, no connector");
}

#[tokio::test]
async fn the_wrapped_client_builds_its_connector_at_the_first_call_and_keeps_it() {
    let (url, log) = server(vec![tables("\"t1\""), tables("\"t1\",\"t2\"")]).await;
    let (wrapped, counts) = counted(true);
    let client = dynamodb(wrapped, &url);
    let first = client.list_tables().send().await.unwrap();
    assert_eq!(first.table_names(), ["t1"]);
    let second = client.list_tables().send().await.unwrap();
    assert_eq!(second.table_names(), ["t1", "t2"]);
    assert_eq!(log.lock().unwrap().len(), 2);
    let (validations, connector_requests) = counts.get();
    assert_eq!(validations, 0);
    assert!(
        connector_requests >= 1,
        "the calls went through the wrapped client"
    );
}

#[tokio::test]
async fn a_lazy_connector_is_built_at_its_first_call_and_shared_by_its_clones() {
    let (url, log) = server(vec![tables("")]).await;
    let connector = LazyConnector::new(&quick_sdk_config("us-east-1"));
    let clone = connector.clone();
    assert!(!connector.is_built() && !clone.is_built());

    let request = http::Request::builder()
        .method("POST")
        .uri(format!("{url}/"))
        .body(aws_smithy_types::body::SdkBody::from("{}"))
        .unwrap();
    let request =
        aws_smithy_runtime_api::client::orchestrator::HttpRequest::try_from(request).unwrap();
    let response = clone.call(request).await.unwrap();
    assert_eq!(response.status().as_u16(), 200);
    assert_eq!(log.lock().unwrap()[0].method, "POST");
    assert!(
        connector.is_built(),
        "the clone's call built the connector for both"
    );
}
