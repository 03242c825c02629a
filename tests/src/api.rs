//! The typed test client: one method per route of the HTTP contract (`API.md`), as
//! zero2prod's `TestApp` has. `h.api(&staff)` calls as a signed-in actor (a [`Staff`],
//! a patient, or a raw token), `h.public()` calls without a token. Every method answers the
//! [`Reply`] untouched, so the tests assert statuses and bodies themselves.
//!
//! The public link domain (`GET /{code}`, the download form, invite pages) is served by
//! [`Harness::link_request`] and its shorthands at the bottom of this file.
//!
//! [`Staff`]: crate::fixtures::Staff

use crate::{Harness, Reply};
use canopy_local::event::RawRequest;
use canopy_local::template::Api as Domain;
use serde_json::{json, Value};
use std::collections::BTreeMap;

/// Anything that carries a bearer token: actors and raw tokens.
pub trait Bearer {
    fn bearer(&self) -> &str;
}

impl Bearer for str {
    fn bearer(&self) -> &str {
        self
    }
}

impl Bearer for String {
    fn bearer(&self) -> &str {
        self
    }
}

/// Calls to the app API as one caller.
#[derive(Clone, Copy)]
pub struct Api<'a> {
    h: &'a Harness,
    token: Option<&'a str>,
    idempotency_key: Option<&'a str>,
}

impl Harness {
    /// The app API as `who` (a [`Bearer`]: an actor or a token).
    pub fn api<'a, B: Bearer + ?Sized>(&'a self, who: &'a B) -> Api<'a> {
        Api {
            h: self,
            token: Some(who.bearer()),
            idempotency_key: None,
        }
    }

    /// The app API without a token (public routes, or to see a 401).
    pub fn public(&self) -> Api<'_> {
        Api {
            h: self,
            token: None,
            idempotency_key: None,
        }
    }
}

impl<'a> Api<'a> {
    /// The same caller, sending `Idempotency-Key: key` (every creating `POST`).
    pub fn idempotency_key(self, key: &'a str) -> Self {
        Self {
            idempotency_key: Some(key),
            ..self
        }
    }

    async fn send(self, method: &str, path: &str, body: Option<Value>) -> Reply {
        let Some(key) = self.idempotency_key else {
            return self.h.call(method, path, body, self.token).await;
        };
        let mut headers = BTreeMap::new();
        headers.insert("idempotency-key".to_string(), key.to_string());
        if let Some(t) = self.token {
            headers.insert("authorization".to_string(), format!("Bearer {t}"));
        }
        let bytes = body.map(|b| {
            headers.insert("content-type".into(), "application/json".into());
            b.to_string().into_bytes()
        });
        let bytes = bytes.unwrap_or_default();
        self.h.raw(Domain::App, method, path, headers, bytes).await
    }

    // Practices and staff sign-in.

    /// `POST /v1/orgs`.
    pub async fn create_org(
        &self,
        practice_name: &str,
        owner_name: &str,
        owner_email: &str,
    ) -> Reply {
        let body = json!({"practice_name": practice_name, "owner_name": owner_name, "owner_email": owner_email});
        self.create_org_with(body).await
    }

    /// `POST /v1/orgs` with any body.
    pub async fn create_org_with(self, body: Value) -> Reply {
        self.send("POST", "/v1/orgs", Some(body)).await
    }

    /// `POST /v1/auth/start` with `{email}`.
    pub async fn auth_start_email(self, email: &str) -> Reply {
        self.auth_start(json!({ "email": email })).await
    }

    /// `POST /v1/auth/start` with any body (`{email}` or `{phone}`).
    pub async fn auth_start(self, body: Value) -> Reply {
        self.send("POST", "/v1/auth/start", Some(body)).await
    }

    /// `POST /v1/auth/verify`.
    pub async fn auth_verify(self, challenge_id: &str, code: &str) -> Reply {
        let body = json!({"challenge_id": challenge_id, "code": code});
        self.send("POST", "/v1/auth/verify", Some(body)).await
    }

    // Members.

    /// `POST /v1/members`.
    pub async fn add_member(self, name: &str, email: &str, role: &str) -> Reply {
        self.add_member_with(json!({"name": name, "email": email, "role": role}))
            .await
    }

    /// `POST /v1/members` with any body.
    pub async fn add_member_with(self, body: Value) -> Reply {
        self.send("POST", "/v1/members", Some(body)).await
    }

    /// `GET /v1/members`.
    pub async fn members(self) -> Reply {
        self.send("GET", "/v1/members", None).await
    }

    /// `DELETE /v1/members/{id}`.
    pub async fn remove_member(self, id: &str) -> Reply {
        self.send("DELETE", &format!("/v1/members/{id}"), None)
            .await
    }

    // Practice links.

    /// `POST /v1/links`.
    pub async fn create_link(self, body: Value) -> Reply {
        self.send("POST", "/v1/links", Some(body)).await
    }

    /// `GET /v1/links`.
    pub async fn links(self) -> Reply {
        self.send("GET", "/v1/links", None).await
    }

    /// `PATCH /v1/links/{id}`.
    pub async fn patch_link(self, id: &str, body: Value) -> Reply {
        self.send("PATCH", &format!("/v1/links/{id}"), Some(body))
            .await
    }

    /// `GET /v1/public/links/{code}`.
    pub async fn public_link(self, code: &str) -> Reply {
        self.send("GET", &format!("/v1/public/links/{code}"), None)
            .await
    }

    // Contacts and invites.

    /// `POST /v1/contacts`.
    pub async fn create_contact(self, body: Value) -> Reply {
        self.send("POST", "/v1/contacts", Some(body)).await
    }

    /// `GET /v1/contacts{query}` (`query` is `""` or starts with `?`).
    pub async fn contacts(self, query: &str) -> Reply {
        self.send("GET", &format!("/v1/contacts{query}"), None)
            .await
    }

    /// `GET /v1/contacts/{id}`.
    pub async fn contact(self, id: &str) -> Reply {
        self.send("GET", &format!("/v1/contacts/{id}"), None).await
    }

    /// `POST /v1/invites`.
    pub async fn invite(self, body: Value) -> Reply {
        self.send("POST", "/v1/invites", Some(body)).await
    }

    /// `POST /v1/invites/{id}/resend`.
    pub async fn resend_invite(self, id: &str) -> Reply {
        self.send("POST", &format!("/v1/invites/{id}/resend"), None)
            .await
    }

    // Patient signup.

    /// `POST /v1/signup/start`.
    pub async fn signup_start(self, body: Value) -> Reply {
        self.send("POST", "/v1/signup/start", Some(body)).await
    }

    /// `POST /v1/signup/verify`.
    pub async fn signup_verify(self, body: Value) -> Reply {
        self.send("POST", "/v1/signup/verify", Some(body)).await
    }

    // Conversations.

    /// `POST /v1/conversations`.
    pub async fn create_conversation(self, body: Value) -> Reply {
        self.send("POST", "/v1/conversations", Some(body)).await
    }

    /// `GET /v1/conversations{query}` (`query` is `""` or starts with `?`).
    pub async fn inbox(self, query: &str) -> Reply {
        self.send("GET", &format!("/v1/conversations{query}"), None)
            .await
    }

    /// `GET /v1/conversations/{id}`.
    pub async fn conversation(self, id: &str) -> Reply {
        self.send("GET", &format!("/v1/conversations/{id}"), None)
            .await
    }

    /// `PATCH /v1/conversations/{id}`.
    pub async fn patch_conversation(self, id: &str, body: Value) -> Reply {
        self.send("PATCH", &format!("/v1/conversations/{id}"), Some(body))
            .await
    }

    /// `POST /v1/conversations/{id}/attachments` (reserve an upload).
    pub async fn reserve_attachment(self, conversation: &str, body: Value) -> Reply {
        let path = format!("/v1/conversations/{conversation}/attachments");
        self.send("POST", &path, Some(body)).await
    }

    /// `POST /v1/conversations/{id}/secure-invite`.
    pub async fn secure_invite(self, id: &str) -> Reply {
        let path = format!("/v1/conversations/{id}/secure-invite");
        self.send("POST", &path, None).await
    }

    // Messages and receipts.

    /// `POST /v1/conversations/{id}/messages`.
    pub async fn post_message(self, conversation: &str, text: &str, client_id: &str) -> Reply {
        self.post_message_with(
            conversation,
            json!({"text": text, "client_message_id": client_id}),
        )
        .await
    }

    /// `POST /v1/conversations/{id}/messages` with any body.
    pub async fn post_message_with(self, conversation: &str, body: Value) -> Reply {
        let path = format!("/v1/conversations/{conversation}/messages");
        self.send("POST", &path, Some(body)).await
    }

    /// `GET /v1/conversations/{id}/messages{query}` (`query` is `""` or starts with `?`).
    pub async fn messages(self, conversation: &str, query: &str) -> Reply {
        let path = format!("/v1/conversations/{conversation}/messages{query}");
        self.send("GET", &path, None).await
    }

    /// `GET /v1/conversations/{id}/messages/{message_id}`.
    pub async fn message(self, conversation: &str, message: &str) -> Reply {
        let path = format!("/v1/conversations/{conversation}/messages/{message}");
        self.send("GET", &path, None).await
    }

    /// `POST /v1/conversations/{id}/read`.
    pub async fn read(self, conversation: &str, message: &str) -> Reply {
        let path = format!("/v1/conversations/{conversation}/read");
        self.send("POST", &path, Some(json!({ "message_id": message })))
            .await
    }
}

/// User agents the link domain tells apart.
pub const IPHONE: &str = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1";
pub const ANDROID: &str = "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0 Mobile Safari/537.36";
pub const DESKTOP: &str = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0 Safari/537.36";
/// Content types of the download form.
pub const FORM: Option<&str> = Some("application/x-www-form-urlencoded");
pub const JSON: Option<&str> = Some("application/json");

/// A random private client address, so tests never share the per-address download budget.
pub fn random_ip() -> String {
    let n = ulid::Ulid::new().random();
    format!("10.{}.{}.{}", (n >> 16) as u8, (n >> 8) as u8, n as u8)
}

/// A form body `phone=…` (the `+` escaped).
pub fn phone_form(phone: &str) -> Vec<u8> {
    format!("phone={}", phone.replace('+', "%2B")).into_bytes()
}

impl Harness {
    /// A request to the link domain from `ip` with a user agent (see [`Harness::raw`]).
    pub async fn link_request(
        &self,
        method: &str,
        path: &str,
        user_agent: &str,
        content_type: Option<&str>,
        body: &[u8],
        ip: &str,
    ) -> Reply {
        let mut headers = BTreeMap::new();
        headers.insert("user-agent".to_string(), user_agent.to_string());
        if let Some(ct) = content_type {
            headers.insert("content-type".to_string(), ct.to_string());
        }
        let raw = RawRequest {
            method: method.to_string(),
            path: path.to_string(),
            query: String::new(),
            headers,
            body: body.to_vec(),
            source_ip: ip.to_string(),
        };
        Reply::from(Box::pin(self.router.dispatch(&self.app, Domain::Link, raw)).await)
    }

    /// `GET /{code}`: a practice link click.
    pub async fn click(&self, code: &str, user_agent: &str) -> Reply {
        let path = format!("/{code}");
        self.link_request("GET", &path, user_agent, None, b"", "203.0.113.9")
            .await
    }

    /// `GET /i/{token}`: an invite click.
    pub async fn open_invite(&self, token: &str, user_agent: &str) -> Reply {
        let path = format!("/i/{token}");
        self.link_request("GET", &path, user_agent, None, b"", "203.0.113.9")
            .await
    }

    /// A desktop `POST {path}` (`/{code}/download-sms` or `/i/download-sms`) from `ip`.
    pub async fn download_sms(
        &self,
        path: &str,
        content_type: Option<&str>,
        body: &[u8],
        ip: &str,
    ) -> Reply {
        self.link_request("POST", path, DESKTOP, content_type, body, ip)
            .await
    }
}
