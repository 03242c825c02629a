//! The dev server's stand-in for the attachments bucket's S3 notification.
//!
//! In AWS, every new object under `attachments/` invokes UploadCheckFunction with an
//! `s3:ObjectCreated:Put` event. moto stores the objects but invokes no Lambda, so the dev
//! server lists the bucket (about once a second, like its stand-in for the table's stream)
//! and, for each object (key and ETag) not delivered yet, builds the event record S3 would
//! send and invokes the same `fn_upload_check::handle` in process. The integration tests
//! call [`UploadNotifier::deliver_new`] right after a PUT instead of waiting for the loop.
//! The S3 client is the one the attachments function uses locally ([`files`]).

use aws_lambda_events::event::s3::S3Event;
use canopy_shared::adapters::s3::S3Files;
use canopy_shared::attachments::model::OBJECT_PREFIX;
use canopy_shared::ports::attachments::FilesError;
use canopy_shared::ports::{Clock, SystemClock};
use canopy_shared::App;
use lambda_http::{Body, Response};
use serde_json::{json, Value};
use std::collections::HashSet;
use std::sync::Mutex;
use std::time::Duration;
use tokio::sync::OnceCell;

static FILES: OnceCell<Option<S3Files>> = OnceCell::const_new();

/// The attachments bucket from the stack's environment (`ATTACHMENTS_BUCKET`,
/// `AWS_ENDPOINT_URL_S3`), built once; None when the environment names no bucket.
pub async fn files() -> Option<&'static S3Files> {
    FILES
        .get_or_init(|| async {
            let sdk = canopy_shared::app::load_sdk_config().await;
            S3Files::from_env(&sdk).ok()
        })
        .await
        .as_ref()
}

/// The answer when the stack has no bucket (an old `.local/stack.env`).
pub fn not_configured() -> Response<Body> {
    let body = json!({"error": {"code": "service_unavailable",
        "message": "No attachments bucket: restart the stack (scripts/stack.sh start)."}});
    Response::builder()
        .status(503)
        .header("content-type", "application/json")
        .body(Body::Text(body.to_string()))
        .unwrap_or_else(|_| Response::new(Body::Empty))
}

/// The `s3:ObjectCreated:Put` record S3 sends for one object (key URL-encoded as S3 does).
pub fn object_created_event(bucket: &str, key: &str, etag: &str, size: u64) -> Value {
    json!({"Records": [{
        "eventVersion": "2.1",
        "eventSource": "aws:s3",
        "awsRegion": std::env::var("AWS_REGION").unwrap_or_else(|_| "us-east-1".into()),
        "eventTime": canopy_shared::domain::time::rfc3339(SystemClock.now_ms()),
        "eventName": "ObjectCreated:Put",
        "userIdentity": {"principalId": "local"},
        "requestParameters": {"sourceIPAddress": "127.0.0.1"},
        "responseElements": {"x-amz-request-id": "local", "x-amz-id-2": "local"},
        "s3": {
            "s3SchemaVersion": "1.0",
            "configurationId": "UploadCheck",
            "bucket": {"name": bucket, "ownerIdentity": {"principalId": "local"},
                       "arn": format!("arn:aws:s3:::{bucket}")},
            "object": {"key": encode_key(key), "size": size, "eTag": etag, "sequencer": "0"},
        },
    }]})
}

/// S3's encoding of keys in notifications: unreserved characters and `/` as they are,
/// a space as `+`, everything else `%XX`.
fn encode_key(key: &str) -> String {
    key.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' | b'/' => {
                (b as char).to_string()
            }
            b' ' => "+".to_string(),
            other => format!("%{other:02X}"),
        })
        .collect()
}

/// Remembers which objects (key, ETag) were delivered, so each is delivered once, and a
/// replaced object (new ETag) again, as S3 does.
#[derive(Default)]
pub struct UploadNotifier {
    delivered: Mutex<HashSet<(String, String)>>,
}

impl UploadNotifier {
    pub fn new() -> Self {
        Self::default()
    }

    /// Delivers one event per object not delivered yet; returns how many were delivered.
    /// An object whose check failed is delivered again next time (as Lambda retries).
    pub async fn deliver_new(&self, app: &App, files: &S3Files) -> Result<usize, FilesError> {
        let mut delivered = 0;
        for (key, etag, size) in files.list(OBJECT_PREFIX).await? {
            let id = (key.clone(), etag.clone());
            if self.seen().contains(&id) {
                continue;
            }
            let event = object_created_event(files.bucket(), &key, &etag, size);
            let Ok(event) = serde_json::from_value::<S3Event>(event) else {
                tracing::error!(key = %key, "could not build the S3 event");
                continue;
            };
            match fn_upload_check::handle(app, files, event).await {
                Ok(()) => {
                    self.seen().insert(id);
                    delivered += 1;
                }
                Err(err) => {
                    tracing::warn!(key = %key, error = %err, "upload check will be retried")
                }
            }
        }
        Ok(delivered)
    }

    fn seen(&self) -> std::sync::MutexGuard<'_, HashSet<(String, String)>> {
        self.delivered.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The dev server's loop: deliver new uploads about once a second, forever.
    pub async fn run(&self, app: &App) {
        let Some(files) = files().await else {
            tracing::warn!("no ATTACHMENTS_BUCKET: uploads are not checked");
            return std::future::pending().await;
        };
        loop {
            if let Err(err) = self.deliver_new(app, files).await {
                tracing::warn!(error = %err, "listing the attachments bucket failed");
            }
            tokio::time::sleep(Duration::from_millis(1000)).await;
        }
    }
}

/// Replays an S3 event file (`events/upload-check/`) through the upload check, as
/// `sam local invoke -e` would: 200 when it succeeded, 500 when Lambda would retry it.
pub async fn replay(app: &App, event_json: &str) -> u16 {
    let (Some(files), Ok(event)) = (files().await, serde_json::from_str::<S3Event>(event_json))
    else {
        return 400;
    };
    match fn_upload_check::handle(app, files, event).await {
        Ok(()) => 200,
        Err(_) => 500,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_event_is_the_one_s3_sends_and_the_function_reads() {
        let key = "attachments/conv_01KCCCCCCCCCCCCCCCCCCCCCCC/att_01KEEEEEEEEEEEEEEEEEEEEEEE";
        let event: S3Event =
            serde_json::from_value(object_created_event("b", key, "etag", 12)).unwrap();
        let record = &event.records[0];
        assert_eq!(record.event_name.as_deref(), Some("ObjectCreated:Put"));
        assert_eq!(record.s3.object.key.as_deref(), Some(key));
        assert_eq!(record.s3.object.size, Some(12));
        assert_eq!(encode_key("a b/c+d"), "a+b/c%2Bd");
        assert_eq!(
            fn_upload_check::decode_key(&encode_key("a b/c+d")),
            "a b/c+d"
        );
    }
}
