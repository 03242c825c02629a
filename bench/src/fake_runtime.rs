//! A fake Lambda Runtime API: just enough of `/2018-06-01/runtime/invocation/next` and
//! `/response` to time a real function binary from exec to its first poll (init) and to its
//! first answered invocation, the way Lambda's own INIT and first INVOKE phases would.

use http_body_util::{BodyExt, Full};
use hyper::body::{Bytes, Incoming};
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Instant;
use tokio::net::TcpListener;
use tokio::sync::Notify;

/// What one binary run did, measured from `started`.
#[derive(Debug, Default, Clone)]
pub struct Timeline {
    pub first_poll_ms: Option<f64>,
    pub first_response_ms: Option<f64>,
    pub response_body: Option<String>,
    pub error: Option<String>,
}

pub struct FakeRuntime {
    pub addr: SocketAddr,
    state: Arc<Mutex<(Instant, Timeline, bool)>>,
    done: Arc<Notify>,
}

impl FakeRuntime {
    /// Serves one event (the same one for each poll) on a free loopback port.
    pub async fn start(event: String) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let addr = listener.local_addr().expect("addr");
        let state = Arc::new(Mutex::new((Instant::now(), Timeline::default(), false)));
        let done = Arc::new(Notify::new());
        let (s, d) = (state.clone(), done.clone());
        tokio::spawn(async move {
            loop {
                let Ok((stream, _)) = listener.accept().await else {
                    continue;
                };
                let (s, d, event) = (s.clone(), d.clone(), event.clone());
                tokio::spawn(async move {
                    let svc =
                        service_fn(move |req| handle(req, s.clone(), d.clone(), event.clone()));
                    let _ = hyper::server::conn::http1::Builder::new()
                        .serve_connection(TokioIo::new(stream), svc)
                        .await;
                });
            }
        });
        Self { addr, state, done }
    }

    /// Resets the clock and timeline just before a binary is spawned.
    pub fn arm(&self) {
        *self.state.lock().expect("lock") = (Instant::now(), Timeline::default(), false);
    }

    /// Waits (up to `timeout`) for the first response or error, and returns the timeline.
    pub async fn wait(&self, timeout: std::time::Duration) -> Timeline {
        let _ = tokio::time::timeout(timeout, async {
            loop {
                if self.state.lock().expect("lock").2 {
                    return;
                }
                self.done.notified().await;
            }
        })
        .await;
        self.state.lock().expect("lock").1.clone()
    }
}

async fn handle(
    req: hyper::Request<Incoming>,
    state: Arc<Mutex<(Instant, Timeline, bool)>>,
    done: Arc<Notify>,
    event: String,
) -> Result<hyper::Response<Full<Bytes>>, Infallible> {
    let path = req.uri().path().to_string();
    let body = req
        .into_body()
        .collect()
        .await
        .map(|b| b.to_bytes())
        .unwrap_or_default();
    let elapsed = |s: &(Instant, Timeline, bool)| s.0.elapsed().as_secs_f64() * 1000.0;
    if path.ends_with("/invocation/next") {
        let finished = {
            let mut s = state.lock().expect("lock");
            if s.1.first_poll_ms.is_none() {
                s.1.first_poll_ms = Some(elapsed(&s));
            }
            s.2
        };
        if finished {
            // Park later polls: the bench kills the process after the first answer.
            tokio::time::sleep(std::time::Duration::from_secs(30)).await;
        }
        let deadline = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap_or_default()
            .as_millis()
            + 30_000;
        let response = hyper::Response::builder()
            .status(200)
            .header("lambda-runtime-aws-request-id", "bench-request-1")
            .header("lambda-runtime-deadline-ms", deadline.to_string())
            .header(
                "lambda-runtime-invoked-function-arn",
                "arn:aws:lambda:us-east-1:000000000000:function:bench",
            )
            .header(
                "lambda-runtime-trace-id",
                "Root=1-00000000-000000000000000000000000",
            )
            .header("content-type", "application/json")
            .body(Full::new(Bytes::from(event)))
            .expect("response");
        return Ok(response);
    }
    {
        let mut s = state.lock().expect("lock");
        let at = elapsed(&s);
        if path.ends_with("/response") {
            s.1.first_response_ms = Some(at);
            s.1.response_body = Some(String::from_utf8_lossy(&body).into_owned());
        } else {
            s.1.error = Some(format!("{path}: {}", String::from_utf8_lossy(&body)));
        }
        s.2 = true;
    }
    done.notify_waiters();
    Ok(hyper::Response::builder()
        .status(202)
        .body(Full::new(Bytes::from_static(b"{}")))
        .expect("response"))
}
