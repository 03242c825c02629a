//! `POST /v1/signup/start`: `{name, phone, email?, link_code}` or
//! `{name, phone, email?, invite_token}` → 202 `{challenge_id, channels}`.
//!
//! The challenge's payload carries what verify needs (the practice, link or invite), so
//! verify never sees the invite token again: the token is only ever hashed.
//!
//! SMS pumping: a phone outside the deployment's SMS countries is refused (400
//! `unsupported_country`) before anything is read; the start spends, in the challenge's own
//! round trips, the budgets of the client address API Gateway saw (the request context,
//! never a header), of the link code and the global one (`access::send_budgets`).

use crate::{PURPOSE_INVITE_BOTH, PURPOSE_INVITE_SMS, PURPOSE_LINK};
use canopy_shared::access::send_budgets::{random_pick, Origin};
use canopy_shared::domain::contact_info::{DisplayName, EmailAddress, PhoneNumber};
use canopy_shared::domain::secrets::token_hash;
use canopy_shared::http::request::source_ip;
use canopy_shared::http::{json, json_body, ApiError, HttpResult};
use canopy_shared::invites::{self, TokenState};
use canopy_shared::links;
use canopy_shared::pairing::{AcceptInviteError, Signup, Via};
use canopy_shared::services::otp::{self, Destination};
use canopy_shared::{texts, App};
use lambda_http::Request;
use serde::Deserialize;
use serde_json::json;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Body {
    name: String,
    phone: String,
    email: Option<String>,
    link_code: Option<String>,
    invite_token: Option<String>,
}

/// The contract allows `null` here (as no value).
impl canopy_shared::http::JsonBody for Body {
    const NULLABLE: &'static [&'static str] = &["email"];
}

/// Signup's answer for an invite it cannot use (expired, used, replaced).
fn invite_gone() -> ApiError {
    AcceptInviteError::InviteGone.into()
}

pub async fn handle(app: &App, req: &Request) -> HttpResult {
    let body: Body = json_body(req)?;
    let name = DisplayName::parse(&body.name).map_err(|e| ApiError::invalid("name", e))?;
    let phone = PhoneNumber::parse(&body.phone).map_err(|e| ApiError::invalid("phone", e))?;
    app.settings.send_budgets.check_country(&phone)?;
    let email = body
        .email
        .as_deref()
        .filter(|e| !e.trim().is_empty())
        .map(EmailAddress::parse)
        .transpose()
        .map_err(|e| ApiError::invalid("email", e))?;
    let (signup, purpose, destinations) = match (body.link_code, body.invite_token) {
        (Some(code), None) => {
            // Parsed like a click's code (trimmed, lower-cased, bounded), so anything that
            // could not be a code is simply not found, never a key DynamoDB refuses.
            let code = links::LinkCode::parse(&code).map_err(|_| ApiError::not_found("link"))?;
            let link = links::active_link(&app.store, &code)
                .await?
                .ok_or_else(|| ApiError::not_found("link"))?;
            let via = Via::Link {
                org_id: link.org_id,
                link_id: link.id,
                code: link.code,
                tags: link.tags,
            };
            let destinations = vec![Destination::Sms(phone.clone())];
            (
                Signup {
                    name,
                    phone,
                    email,
                    via,
                },
                PURPOSE_LINK,
                destinations,
            )
        }
        (None, Some(token)) => {
            let invite = invites::find_token(&app.store, &token)
                .await?
                .filter(|i| i.state(app.now_ms()) == TokenState::Usable)
                .ok_or_else(invite_gone)?;
            if invite.phone.as_ref().is_some_and(|p| p != &phone) {
                return Err(ApiError::conflict(
                    "phone_mismatch",
                    "Use the mobile number the practice has on file for this invite.",
                ));
            }
            let mut destinations = vec![Destination::Sms(phone.clone())];
            let purpose = match &invite.email {
                Some(on_file) => {
                    destinations.push(Destination::Email(on_file.clone()));
                    PURPOSE_INVITE_BOTH
                }
                None => PURPOSE_INVITE_SMS,
            };
            let via = Via::Invite {
                org_id: invite.org_id,
                invite_id: invite.invite_id,
                token_hash: token_hash(&token),
                contact_id: invite.contact_id,
                conversation_id: invite.conversation_id,
            };
            // The account's email is the one the practice had on file and we prove.
            let email = invite.email.or(email);
            (
                Signup {
                    name,
                    phone,
                    email,
                    via,
                },
                purpose,
                destinations,
            )
        }
        _ => {
            return Err(ApiError::invalid(
                "link_code",
                "give exactly one of link_code or invite_token",
            ))
        }
    };
    let payload = serde_json::to_string(&signup).map_err(|_| ApiError::internal())?;
    let link_code = match &signup.via {
        Via::Link { code, .. } => Some(code.to_string()),
        Via::Invite { .. } => None,
    };
    let address = source_ip(req);
    let origin = Origin {
        address: address.as_deref(),
        link_code: link_code.as_deref(),
    };
    let budgets = app
        .settings
        .send_budgets
        .budgets(origin, &destinations, random_pick());
    let challenge = otp::start(
        app,
        purpose,
        &destinations,
        payload,
        true,
        budgets,
        texts::code_for,
    )
    .await?;
    let channels: Vec<&str> = destinations.iter().map(Destination::channel).collect();
    json(
        202,
        &json!({ "challenge_id": challenge, "channels": channels }),
    )
}
