//! `POST /v1/devices` `{platform: "ios"|"android", token}` → 201 `{id, platform}`; the same
//! token again answers the same device. Round trips: see
//! `canopy_shared::notifications::devices` (1 GetItem when the token is known; else an SNS
//! call and 1 TransactWriteItems).

use canopy_shared::http::{json, json_body, ApiError, Caller, HttpResult};
use canopy_shared::notifications::devices::register;
use canopy_shared::notifications::model::{Platform, PushToken};
use canopy_shared::App;
use lambda_http::Request;
use serde::Deserialize;
use serde_json::json;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Body {
    platform: String,
    token: String,
}

impl canopy_shared::http::JsonBody for Body {}

pub async fn handle(app: &App, req: &Request) -> HttpResult {
    let caller = Caller::from_request(req)?;
    let body: Body = json_body(req)?;
    let platform = Platform::parse(&body.platform)
        .ok_or_else(|| ApiError::invalid("platform", "must be \"ios\" or \"android\""))?;
    let token =
        PushToken::parse(platform, &body.token).map_err(|e| ApiError::invalid("token", e))?;
    let device = register(
        &app.store,
        app.push.as_ref(),
        &caller.account_id,
        platform,
        &token,
        app.now_ms(),
    )
    .await?;
    json(201, &json!({"id": device.id, "platform": device.platform}))
}
