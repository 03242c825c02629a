//! Records the exact DynamoDB HTTP requests a handler sends (target, headers, body), so the
//! bench can replay them straight to DynamoDB Local: the floor under a route, with no
//! handler, no SDK and no serialisation.

use aws_smithy_runtime_api::box_error::BoxError;
use aws_smithy_runtime_api::client::interceptors::context::{
    BeforeDeserializationInterceptorContextRef, BeforeTransmitInterceptorContextRef,
};
use aws_smithy_runtime_api::client::interceptors::Intercept;
use aws_smithy_runtime_api::client::runtime_components::RuntimeComponents;
use aws_smithy_types::config_bag::{ConfigBag, Storable, StoreReplace};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Instant;

#[derive(Debug, Clone)]
pub struct Recorded {
    pub headers: Vec<(String, String)>,
    pub body: String,
    /// When it was sent and when its response came back: requests in flight together were
    /// issued concurrently by the handler, and are replayed so.
    pub sent: Instant,
    pub answered: Option<Instant>,
}

impl Recorded {
    /// The `X-Amz-Target` operation.
    pub fn target(&self) -> String {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case("x-amz-target"))
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    }
}

/// Groups requests (in the order sent) into waves of requests that were in flight together:
/// a request joins the current wave when it was sent before any request of that wave was
/// answered.
pub fn waves(requests: Vec<Recorded>) -> Vec<Vec<Recorded>> {
    let mut waves: Vec<Vec<Recorded>> = Vec::new();
    for r in requests {
        let joins = waves.last().is_some_and(|wave| {
            wave.iter()
                .all(|w| w.answered.is_none_or(|answered| r.sent < answered))
        });
        match waves.last_mut() {
            Some(wave) if joins => wave.push(r),
            _ => waves.push(vec![r]),
        }
    }
    waves
}

/// The index of the recording of the request in flight, in its operation's config bag.
#[derive(Debug, Clone, Copy)]
struct RecordIndex(usize);

impl Storable for RecordIndex {
    type Storer = StoreReplace<Self>;
}

/// Records while not paused (the default). The warm section pauses it around its timed
/// handler calls: copying every request's headers and body into a shared list, under a
/// lock, is a cost Lambda does not have and the SDK floor does not pay.
#[derive(Debug, Clone, Default)]
pub struct Recorder {
    requests: Arc<Mutex<Vec<Recorded>>>,
    paused: Arc<AtomicBool>,
}

impl Recorder {
    pub fn take(&self) -> Vec<Recorded> {
        std::mem::take(&mut *self.requests.lock().expect("lock"))
    }

    /// Stops (`true`) or restarts (`false`) recording.
    pub fn pause(&self, paused: bool) {
        self.paused.store(paused, Ordering::Relaxed);
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
        cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        if self.paused.load(Ordering::Relaxed) {
            return Ok(());
        }
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
        let mut requests = self.requests.lock().expect("lock");
        cfg.interceptor_state()
            .store_put(RecordIndex(requests.len()));
        requests.push(Recorded {
            headers,
            body,
            sent: Instant::now(),
            answered: None,
        });
        Ok(())
    }

    fn read_after_transmit(
        &self,
        _context: &BeforeDeserializationInterceptorContextRef<'_>,
        _components: &RuntimeComponents,
        cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        if let Some(RecordIndex(i)) = cfg.load::<RecordIndex>().copied() {
            if let Some(r) = self.requests.lock().expect("lock").get_mut(i) {
                r.answered = Some(Instant::now());
            }
        }
        Ok(())
    }
}
