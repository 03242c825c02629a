//! `POST /v1/conversations/{id}/attachments`: `{filename, content_type, size}` → 201
//! `{id, status: "uploading", upload: {method: "PUT", url, headers, expires_at}}`.
//! Unknown type → 415, over the type's cap → 413, size 0 or a bad file name → 400; the
//! conversation's refusals as for posting (404, 409 `read_only`, 409 `pending_account`),
//! a standard conversation → 400, a spent daily budget → 429.

use canopy_shared::attachments::model::{check_size, ContentType, Filename};
use canopy_shared::attachments::reserve::{reserve, NewUpload};
use canopy_shared::domain::ids::ConversationId;
use canopy_shared::domain::time::rfc3339;
use canopy_shared::http::{json, json_body, path_id, request::request_id, Caller, HttpResult};
use canopy_shared::ports::attachments::AttachmentFiles;
use canopy_shared::App;
use lambda_http::Request;
use serde::Deserialize;
use serde_json::{json, Map, Value};

#[derive(Deserialize)]
struct Body {
    filename: String,
    content_type: String,
    size: u64,
}

impl canopy_shared::http::JsonBody for Body {}

pub async fn handle(app: &App, files: &dyn AttachmentFiles, req: &Request) -> HttpResult {
    let caller = Caller::from_request(req)?;
    let conversation: ConversationId = path_id(req, "id", "conversation")?;
    let body: Body = json_body(req)?;
    let content_type = ContentType::parse(&body.content_type)?;
    let size = check_size(content_type, body.size)?;
    let filename = Filename::parse(&body.filename)?;
    let upload = NewUpload {
        filename,
        content_type,
        size,
    };
    let reserved = reserve(
        &app.store,
        files,
        &caller,
        conversation,
        upload,
        app.now_ms(),
        &request_id(req),
    )
    .await?;
    let a = &reserved.attachment;
    let headers: Map<String, Value> = reserved
        .upload
        .headers
        .iter()
        .map(|(k, v)| (k.clone(), Value::String(v.clone())))
        .collect();
    json(
        201,
        &json!({
            "id": a.id,
            "filename": a.filename.as_str(),
            "content_type": a.content_type.as_str(),
            "size": a.size,
            "status": a.status.as_str(),
            "upload": {
                "method": "PUT",
                "url": reserved.upload.url,
                "headers": headers,
                "expires_at": rfc3339(reserved.upload.expires_at_ms),
            },
        }),
    )
}

#[cfg(test)]
mod tests {
    use canopy_shared::http::ApiError;

    #[test]
    fn type_and_size_refusals_have_the_contract_statuses() {
        use canopy_shared::attachments::model::{check_size, ContentType};
        let unknown: ApiError = ContentType::parse("image/gif").unwrap_err().into();
        assert_eq!(
            (unknown.status, unknown.code),
            (415, "unsupported_media_type")
        );
        let big: ApiError = check_size(ContentType::Jpeg, 26 * 1024 * 1024)
            .unwrap_err()
            .into();
        assert_eq!((big.status, big.code), (413, "too_large"));
        let empty: ApiError = check_size(ContentType::Jpeg, 0).unwrap_err().into();
        assert_eq!(empty.status, 400);
        assert!(empty.message.starts_with("size:"), "{}", empty.message);
    }
}
