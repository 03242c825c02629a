//! The HTML pages of the link domain (askama templates in `templates/`, autoescaped) and
//! the headers every answer of this domain carries: a strict CSP (nothing but our own inline
//! stylesheet, pinned by its hash), no referrer, nosniff, HSTS, no caching (every click must
//! reach us to be counted and routed).

use askama::Template;
use canopy_shared::http::{ApiError, HttpResult};
use lambda_http::http::response::Builder;
use lambda_http::{Body, Response};
use std::sync::LazyLock;

/// The one stylesheet, inlined into every page.
const CSS: &str = include_str!("../templates/page.css");

/// `'sha256-…'` of [`CSS`], the only style the CSP allows.
static CSP: LazyLock<String> = LazyLock::new(|| {
    use base64::Engine;
    use sha2::{Digest, Sha256};
    let hash = base64::engine::general_purpose::STANDARD.encode(Sha256::digest(CSS.as_bytes()));
    format!(
        "default-src 'none'; style-src 'sha256-{hash}'; img-src 'none'; form-action 'self'; \
         base-uri 'none'; frame-ancestors 'none'"
    )
});

/// The landing page of a link or an invite, in one of its states.
#[derive(Template)]
#[template(path = "landing.html")]
pub struct Landing<'a> {
    pub css: &'static str,
    pub practice_name: &'a str,
    pub label: Option<&'a str>,
    /// The sentence before the form ("Join … on Canopy").
    pub intro: &'a str,
    /// Where the form posts: a relative path of this domain.
    pub action: &'a str,
    /// An invite's token, posted back with the number (invites have no code).
    pub token: Option<&'a str>,
    pub phone: &'a str,
    pub error: Option<&'a str>,
    pub sent: bool,
}

#[derive(Template)]
#[template(path = "not_found.html")]
struct NotFound {
    css: &'static str,
}

#[derive(Template)]
#[template(path = "gone.html")]
struct Gone {
    css: &'static str,
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage<'a> {
    css: &'static str,
    message: &'a str,
}

pub fn css() -> &'static str {
    CSS
}

/// Headers shared by every answer of the link domain.
fn secured(builder: Builder) -> Builder {
    builder
        .header("content-security-policy", CSP.as_str())
        .header("referrer-policy", "no-referrer")
        .header("x-content-type-options", "nosniff")
        .header(
            "strict-transport-security",
            "max-age=63072000; includeSubDomains",
        )
        .header("x-frame-options", "DENY")
        .header("cache-control", "no-store")
}

/// An HTML answer.
pub fn html(status: u16, page: &impl Template, retry_after: Option<u64>) -> HttpResult {
    let body = page.render().map_err(|e| {
        tracing::error!(error = %e, "template failed to render");
        ApiError::internal()
    })?;
    let mut builder = secured(Response::builder().status(status))
        .header("content-type", "text/html; charset=utf-8");
    if let Some(secs) = retry_after {
        builder = builder.header("retry-after", secs.to_string());
    }
    builder
        .body(Body::Text(body))
        .map_err(|_| ApiError::internal())
}

/// A 302 to an app store.
pub fn redirect(location: &str) -> HttpResult {
    secured(Response::builder().status(302))
        .header("location", location)
        .body(Body::Empty)
        .map_err(|_| ApiError::internal())
}

/// The one page for unknown and disabled codes and unknown invites: nothing in it depends
/// on the request, so the two cases cannot be told apart.
pub fn not_found() -> HttpResult {
    html(404, &NotFound { css: CSS }, None)
}

/// An invite that expired or was used.
pub fn gone() -> HttpResult {
    html(410, &Gone { css: CSS }, None)
}

/// Any other failure, as a page with the error's status (and `Retry-After`).
pub fn error(err: ApiError) -> Response<Body> {
    let message = match err.status {
        429 => "Too many requests. Please wait a little and try again.",
        503 => "We can't reach a service we depend on right now. Please try again shortly.",
        _ => "Something went wrong on our side. Please try again shortly.",
    };
    html(
        err.status,
        &ErrorPage { css: CSS, message },
        err.retry_after,
    )
    .unwrap_or_else(|e| e.into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn landing<'a>(error: Option<&'a str>, phone: &'a str) -> Landing<'a> {
        Landing {
            css: CSS,
            practice_name: "Elm <Street> & Co",
            label: Some("Front \"desk\""),
            intro: "Join us.",
            action: "/482913/download-sms",
            token: None,
            phone,
            error,
            sent: false,
        }
    }

    #[test]
    fn landing_escapes_everything_it_shows() {
        let page = landing(None, "<script>").render().unwrap();
        assert!(page.contains("Elm &#60;Street&#62; &#38; Co"), "{page}");
        assert!(page.contains("Front &#34;desk&#34;"));
        assert!(!page.contains("<script>"));
        assert!(page.contains(r#"<html lang="en">"#));
        assert!(page.contains(r#"<label for="phone">"#));
    }

    #[test]
    fn an_error_is_tied_to_the_field() {
        let page = landing(Some("Enter a valid mobile number."), "12")
            .render()
            .unwrap();
        assert!(page.contains(r#"aria-describedby="phone-error""#));
        assert!(page.contains(r#"aria-invalid="true""#));
        assert!(page.contains("Enter a valid mobile number."));
    }

    #[test]
    fn the_csp_pins_the_inline_style() {
        assert!(CSP.starts_with("default-src 'none'; style-src 'sha256-"));
        let page = not_found().unwrap();
        assert_eq!(page.headers()["referrer-policy"], "no-referrer");
        assert_eq!(page.headers()["x-content-type-options"], "nosniff");
        assert!(page.headers().contains_key("strict-transport-security"));
    }
}
