//! `DELETE /v1/devices/{id}` → 204: the caller's own device only (another account's id is
//! 404, as if it did not exist). Round trips: 1 GetItem, 1 TransactWriteItems, SNS
//! DeleteEndpoint.

use canopy_shared::domain::ids::DeviceId;
use canopy_shared::http::{no_content, path_id, Caller, HttpResult};
use canopy_shared::notifications::devices::remove;
use canopy_shared::App;
use lambda_http::Request;

pub async fn handle(app: &App, req: &Request) -> HttpResult {
    let caller = Caller::from_request(req)?;
    let device: DeviceId = path_id(req, "id", "device")?;
    remove(&app.store, app.push.as_ref(), &caller.account_id, &device).await?;
    no_content()
}
