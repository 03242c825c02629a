//! Patient signup and pairing: `POST /v1/signup/start`, `POST /v1/signup/verify` (public).
//!
//! Through a practice link, one SMS code proves the phone; through an invite, the phone
//! must be the invite's and every destination on the invite gets a code (SMS and email),
//! all required. Verify creates or reuses the patient's account (one per phone number) and
//! pairs it with the practice in ONE TransactWriteItems (the use cases in
//! `canopy_shared::pairing`: link pairing and invite acceptance).
//!
//! Challenge purposes (a challenge's purpose says which codes it needs, so a missing
//! `email_code` is refused before a check is spent):
//! - `signup_link`: one SMS code;
//! - `signup_invite_sms`: an invite with a phone only: one SMS code;
//! - `signup_invite_both`: an invite with an email: SMS and email codes.
//!
//! DynamoDB round trips (counted by the integration tests):
//! - start via link: 1 GetItem (link) + the challenge's 2 (BatchGetItem send budgets,
//!   TransactWriteItems);
//! - start via invite: 1 GetItem (token) + 2;
//! - verify via link, new patient: 1 UpdateItem (check) + 1 round of concurrent reads (login
//!   GetItem, contacts-by-phone Query, contacts-by-email Query when an email is given) +
//!   1 TransactWriteItems;
//! - verify via link, existing patient: + 1 round (account GetItem, pairing GetItem,
//!   concurrent);
//! - verify via invite: 1 UpdateItem (check) + 1 round (login, token, conversation
//!   GetItems, concurrent) [+ 1 GetItem account when it exists] + 1 TransactWriteItems.

mod start;
mod verify;

use canopy_shared::http::{authenticated, unknown_route};
use canopy_shared::App;
use lambda_http::{Body, Request, Response};

pub const PURPOSE_LINK: &str = "signup_link";
pub const PURPOSE_INVITE_SMS: &str = "signup_invite_sms";
pub const PURPOSE_INVITE_BOTH: &str = "signup_invite_both";

pub async fn handle(app: &App, req: Request) -> Response<Body> {
    authenticated(app, req, |req, route| async move {
        match route.as_str() {
            "POST /v1/signup/start" => start::handle(app, &req).await,
            "POST /v1/signup/verify" => verify::handle(app, &req).await,
            _ => unknown_route(),
        }
    })
    .await
}
