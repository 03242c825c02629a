//! What a click lands on, built once for links and invites: the practice (and the link's
//! label), where the landing form posts, and the install referrer for Android. [`answer`]
//! turns a click into the platform's redirect or the landing page.

use crate::pages::{self, Landing};
use crate::platform::{play_store_url, Platform};
use canopy_shared::http::{request::header, HttpResult};
use canopy_shared::invites::InviteToken;
use canopy_shared::links::Link;
use canopy_shared::App;
use lambda_http::Request;

/// The form's code for invites: `POST /i/download-sms` (`i` can never be a link code, it is
/// reserved), with the token in the form body.
pub const INVITE_FORM_CODE: &str = "i";

pub struct Target<'a> {
    pub practice_name: &'a str,
    pub label: Option<&'a str>,
    intro: String,
    action: String,
    token: Option<&'a str>,
    /// `link_code%3D…` / `invite_token%3D…`: URL-encoded, and codes and tokens are URL-safe.
    referrer: String,
}

impl<'a> Target<'a> {
    pub fn link(link: &'a Link) -> Self {
        Self {
            practice_name: &link.practice_name,
            label: Some(&link.label),
            intro: format!("Join {} on Canopy.", link.practice_name),
            action: format!("/{}/download-sms", link.code),
            token: None,
            referrer: format!("link_code%3D{}", link.code),
        }
    }

    /// `token` has been checked against the table (so it is URL-safe).
    pub fn invite(invite: &'a InviteToken, token: &'a str) -> Self {
        Self {
            practice_name: &invite.practice_name,
            label: None,
            intro: format!(
                "{} invited you to message them securely on Canopy.",
                invite.practice_name
            ),
            action: format!("/{INVITE_FORM_CODE}/download-sms"),
            token: Some(token),
            referrer: format!("invite_token%3D{token}"),
        }
    }

    /// The landing page in one of its states.
    pub fn page(&'a self, phone: &'a str, error: Option<&'a str>, sent: bool) -> Landing<'a> {
        Landing {
            css: pages::css(),
            practice_name: self.practice_name,
            label: self.label,
            intro: &self.intro,
            action: &self.action,
            token: self.token,
            phone,
            error,
            sent,
        }
    }
}

/// A click: the store for phones, the landing page for everything else.
pub fn answer(app: &App, req: &Request, target: &Target<'_>) -> HttpResult {
    let user_agent = header(req, "user-agent").unwrap_or_default();
    match Platform::from_user_agent(user_agent) {
        Platform::Ios => pages::redirect(&app.settings.ios_app_store_url),
        Platform::Android => pages::redirect(&play_store_url(
            &app.settings.android_play_store_url,
            &target.referrer,
        )),
        Platform::Other => pages::html(200, &target.page("", None, false), None),
    }
}
