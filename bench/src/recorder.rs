//! Records the exact DynamoDB HTTP requests a handler sends (target, headers, body), so the
//! bench can replay them straight to DynamoDB Local: the floor under a route, with no
//! handler, no SDK and no serialisation.

use aws_smithy_runtime_api::box_error::BoxError;
use aws_smithy_runtime_api::client::interceptors::context::BeforeTransmitInterceptorContextRef;
use aws_smithy_runtime_api::client::interceptors::Intercept;
use aws_smithy_runtime_api::client::runtime_components::RuntimeComponents;
use aws_smithy_types::config_bag::ConfigBag;
use std::sync::{Arc, Mutex};

#[derive(Debug, Clone)]
pub struct Recorded {
    pub headers: Vec<(String, String)>,
    pub body: String,
}

#[derive(Debug, Clone, Default)]
pub struct Recorder {
    requests: Arc<Mutex<Vec<Recorded>>>,
}

impl Recorder {
    pub fn take(&self) -> Vec<Recorded> {
        std::mem::take(&mut *self.requests.lock().expect("lock"))
    }
}

impl Intercept for Recorder {
    fn name(&self) -> &'static str {
        "Recorder"
    }

    fn read_before_transmit(
        &self,
        context: &BeforeTransmitInterceptorContextRef<'_>,
        _components: &RuntimeComponents,
        _cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        let request = context.request();
        let headers = request
            .headers()
            .iter()
            .filter(|(k, _)| {
                !k.eq_ignore_ascii_case("content-length") && !k.eq_ignore_ascii_case("host")
            })
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        let body = request
            .body()
            .bytes()
            .map(|b| String::from_utf8_lossy(b).into_owned())
            .unwrap_or_default();
        self.requests
            .lock()
            .expect("lock")
            .push(Recorded { headers, body });
        Ok(())
    }
}
