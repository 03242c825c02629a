//! `POST /{code}/download-sms` (and `POST /i/download-sms` with an invite `token`): texts
//! the app download link to the number given. Form posts answer with the landing page
//! ("check your phone", or the form again with the problem next to the field); JSON
//! requests answer `{"sent": true}` or a JSON error.
//!
//! The one text carries the link's (or invite's) own URL, which routes the phone to its
//! app store, and the link code: nothing else. At most 3 texts per number and 20 per client
//! address per hour (sliding windows; 429 with `Retry-After` beyond). Like the sign-in codes
//! (`canopy_shared::access::send_budgets`), texts go only to the deployment's SMS countries,
//! and each link code and the deployment as a whole have their own hourly and daily (link)
//! budgets, so a pump spread over many numbers and addresses is still capped.

use crate::pages;
use crate::target::{Target, INVITE_FORM_CODE};
use canopy_shared::access::rate_limit::{self, Budget};
use canopy_shared::access::send_budgets::{global_share, random_pick, SendBudgets};
use canopy_shared::access::window::Limit;
use canopy_shared::domain::contact_info::PhoneNumber;
use canopy_shared::http::request::{header, source_ip};
use canopy_shared::http::{json, json_body, path_param, ApiError, HttpResult};
use canopy_shared::invites::{usable_token, InviteToken, TokenError};
use canopy_shared::links::{active_link, Link, LinkCode};
use canopy_shared::ports::SendError;
use canopy_shared::{texts, App};
use lambda_http::Request;
use serde::{Deserialize, Serialize};

const HOUR_MS: i64 = 3600 * 1000;
const DAY_MS: i64 = 24 * HOUR_MS;
pub const PER_PHONE: Limit = Limit::sliding(3, HOUR_MS);
pub const PER_ADDRESS: Limit = Limit::sliding(20, HOUR_MS);
/// The budgets every text spends besides the number's and the address's: the link code's
/// (hour and day; an invite's token has its own three-per-hour through the number) and one
/// shard of the deployment's hourly ceiling, separate from the sign-in codes' ceiling so a
/// flood of download texts can never stop codes from being sent.
fn shared_budgets(policy: &SendBudgets, link: Option<&str>) -> Vec<Budget> {
    let mut budgets = Vec::with_capacity(3);
    if let Some(code) = link {
        for (kind, max, window_ms) in [
            ("dl-link-h", policy.per_link_hour, HOUR_MS),
            ("dl-link-d", policy.per_link_day, DAY_MS),
        ] {
            budgets.push(Budget {
                kind,
                subject: code.to_string(),
                limit: Limit::sliding(max, window_ms),
            });
        }
    }
    let (shards, share) = global_share(policy.global_sms_hour);
    budgets.push(Budget {
        kind: "dl-all-sms",
        subject: (random_pick() % shards as u64).to_string(),
        limit: Limit::sliding(share, HOUR_MS),
    });
    budgets
}

/// A form with a phone number (and maybe a token) is tiny; anything bigger is refused.
const MAX_FORM_BYTES: usize = 4096;
const INVALID_PHONE: &str = "Enter a valid mobile number, like (202) 555-0123.";

/// A form post: unknown fields are ignored (browsers and autofill add some).
#[derive(Deserialize, Default)]
struct FormBody {
    #[serde(default)]
    phone: String,
    #[serde(default)]
    token: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct JsonBody {
    phone: String,
    #[serde(default)]
    token: Option<String>,
}

impl canopy_shared::http::JsonBody for JsonBody {}

#[derive(Serialize)]
struct Sent {
    sent: bool,
}

fn wants_json(req: &Request) -> bool {
    header(req, "content-type").is_some_and(|c| {
        c.trim_start()
            .to_ascii_lowercase()
            .starts_with("application/json")
    })
}

fn parse(req: &Request, json_mode: bool) -> Result<FormBody, ApiError> {
    if json_mode {
        let body: JsonBody = json_body(req)?;
        return Ok(FormBody {
            phone: body.phone,
            token: body.token,
        });
    }
    let bytes: &[u8] = req.body().as_ref();
    if bytes.len() > MAX_FORM_BYTES {
        return Err(ApiError::new(
            413,
            "body_too_large",
            "The form is too large.",
        ));
    }
    serde_urlencoded::from_bytes(bytes)
        .map_err(|_| ApiError::new(400, "invalid_form", "The form could not be read."))
}

/// A failure in the caller's terms: JSON for JSON requests, else the error page.
fn fail(json_mode: bool, err: ApiError) -> HttpResult {
    if json_mode {
        Err(err)
    } else {
        Ok(pages::error(err))
    }
}

fn not_found(json_mode: bool) -> HttpResult {
    if json_mode {
        Err(ApiError::not_found("link"))
    } else {
        pages::not_found()
    }
}

fn gone(json_mode: bool) -> HttpResult {
    if json_mode {
        Err(ApiError::new(
            410,
            "invite_gone",
            "This invitation has expired or was already used.",
        ))
    } else {
        pages::gone()
    }
}

pub async fn handle(app: &App, req: &Request) -> HttpResult {
    let json_mode = wants_json(req);
    let form = match parse(req, json_mode) {
        Ok(form) => form,
        Err(err) => return fail(json_mode, err),
    };
    let code = path_param(req, "code")?;
    let base = &app.settings.link_base_url;
    let link: Link;
    let invite: InviteToken;
    let (target, text, link_code) = if code == INVITE_FORM_CODE {
        let token = form.token.as_deref().unwrap_or_default();
        invite = match usable_token(&app.store, token, app.now_ms()).await {
            Ok(found) => found,
            Err(TokenError::NotFound) => return not_found(json_mode),
            Err(TokenError::Gone) => return gone(json_mode),
            Err(TokenError::Store(err)) => return fail(json_mode, err.into()),
        };
        let text = texts::invite_download_sms(&format!("{base}/i/{token}")).1;
        (Target::invite(&invite, token), text, None)
    } else {
        let Ok(code) = LinkCode::parse(code) else {
            return not_found(json_mode);
        };
        link = match active_link(&app.store, &code).await {
            Ok(Some(found)) => found,
            Ok(None) => return not_found(json_mode),
            Err(err) => return fail(json_mode, err.into()),
        };
        let text = texts::download_sms(&link.url(base), &link.code).1;
        (Target::link(&link), text, Some(link.code.to_string()))
    };
    // What the form shows back: the number as typed (bounded; autoescaped by the template).
    let typed: String = form.phone.chars().take(32).collect();
    // Every later failure re-renders the form with the problem next to the field.
    let again = |err: ApiError, message: &str| -> HttpResult {
        if json_mode {
            Err(err)
        } else {
            pages::html(
                err.status,
                &target.page(&typed, Some(message), false),
                err.retry_after,
            )
        }
    };
    let Ok(phone) = PhoneNumber::parse(&form.phone) else {
        return again(
            ApiError::invalid("phone", "must be a valid mobile number"),
            INVALID_PHONE,
        );
    };
    let policy = &app.settings.send_budgets;
    if let Err(err) = policy.check_country(&phone) {
        let message = format!(
            "We can only text mobile numbers in {}.",
            err.allowed.join(", ")
        );
        return again(err.into(), &message);
    }
    let mut budgets = vec![Budget {
        kind: "dl-phone",
        subject: phone.as_str().to_string(),
        limit: PER_PHONE,
    }];
    if let Some(ip) = source_ip(req).filter(|ip| !ip.is_empty()) {
        budgets.push(Budget {
            kind: "dl-ip",
            subject: ip,
            limit: PER_ADDRESS,
        });
    }
    budgets.extend(shared_budgets(policy, link_code.as_deref()));
    if let Err(err) = rate_limit::spend(&app.store, &budgets, app.now_ms()).await {
        return again(
            err.into(),
            "We've sent several texts already. Please wait a while and try again.",
        );
    }
    match app.sms.send_sms(&phone, &text).await {
        Ok(()) => {}
        Err(SendError::OptedOut) => return again(
            ApiError::conflict(
                "destination_opted_out",
                "This number has opted out of texts from us.",
            ),
            "This number has opted out of texts from us. Reply START to our texts to opt back in.",
        ),
        Err(SendError::Unavailable) => {
            return again(
                ApiError::unavailable(),
                "We couldn't send the text just now. Please try again shortly.",
            )
        }
    }
    if json_mode {
        json(200, &Sent { sent: true })
    } else {
        pages::html(200, &target.page("", None, true), None)
    }
}
