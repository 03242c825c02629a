//! The upload check: invoked by the attachments bucket's `s3:ObjectCreated:*` notification
//! (prefix `attachments/`; locally by the dev server's stand-in, `canopy_local::uploads`).
//! Each record's object is checked against its reservation (size and magic bytes, see
//! `canopy_shared::attachments::check`): then `ready`, or `rejected` and deleted.
//!
//! S3 invokes Lambda asynchronously, one event per object. Every record is idempotent (the
//! verdict is conditioned on the status and ETag it was read with), so on a transient
//! failure the whole event is failed and Lambda's retry re-runs it safely; a record that is
//! not ours (a foreign key) is logged and skipped, never blocking the rest. Logs carry object
//! keys, which are ids only.

use aws_lambda_events::event::s3::S3Event;
use canopy_shared::attachments::check::{check_upload, CheckError};
use canopy_shared::ports::attachments::AttachmentFiles;
use canopy_shared::App;

/// Some records could not be checked now (the event is retried).
#[derive(Debug, thiserror::Error)]
#[error("{failed} of {total} uploads could not be checked")]
pub struct CheckFailed {
    pub failed: usize,
    pub total: usize,
}

pub async fn handle(
    app: &App,
    files: &dyn AttachmentFiles,
    event: S3Event,
) -> Result<(), CheckFailed> {
    let total = event.records.len();
    let mut failed = 0;
    for record in event.records {
        let Some(raw_key) = record.s3.object.key.as_deref() else {
            tracing::warn!("S3 record without an object key; skipped");
            continue;
        };
        let key = decode_key(raw_key);
        match check_upload(&app.store, files, &key, app.now_ms()).await {
            Ok(outcome) => tracing::info!(key = %key, outcome = ?outcome, "upload checked"),
            Err(err) => {
                failed += 1;
                let transient = matches!(
                    err,
                    CheckError::Store(canopy_shared::adapters::dynamo::StoreError::Unavailable)
                        | CheckError::Files(
                            canopy_shared::ports::attachments::FilesError::Unavailable
                        )
                );
                tracing::error!(key = %key, error = %err, transient, "upload check failed");
            }
        }
    }
    if failed > 0 {
        return Err(CheckFailed { failed, total });
    }
    Ok(())
}

/// S3 notifications URL-encode object keys (`+` for a space, `%XX` for the rest).
pub fn decode_key(raw: &str) -> String {
    let bytes = raw.as_bytes();
    let hex = |b: u8| (b as char).to_digit(16).map(|d| d as u8);
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < bytes.len() => match (hex(bytes[i + 1]), hex(bytes[i + 2])) {
                (Some(hi), Some(lo)) => {
                    out.push(hi * 16 + lo);
                    i += 2;
                }
                _ => out.push(b'%'),
            },
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_url_decoded_as_s3_encodes_them() {
        assert_eq!(
            decode_key("attachments/conv_1/att_2"),
            "attachments/conv_1/att_2"
        );
        assert_eq!(decode_key("a+b%2Fc"), "a b/c");
        assert_eq!(decode_key("100%"), "100%");
        assert_eq!(decode_key("%4"), "%4");
    }

    #[test]
    fn the_fixture_event_parses() {
        let raw = include_str!("../../../events/upload-check/object-created.json");
        let event: S3Event = serde_json::from_str(raw).unwrap();
        assert_eq!(event.records.len(), 1);
        let key = event.records[0].s3.object.key.clone().unwrap_or_default();
        assert!(key.starts_with("attachments/conv_"), "{key}");
    }
}
