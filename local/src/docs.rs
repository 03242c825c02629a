//! The API reference on the dev server's app port, for client developers:
//!
//! - `GET /docs`: Swagger UI (from the npm package `swagger-ui-dist`, installed by
//!   `scripts/setup.sh`; nothing from a CDN), with "Try it out" against this dev server;
//! - `GET /openapi.yaml`: the contract as committed;
//! - `GET /openapi.json`: the same document as JSON with its servers pointed at this dev
//!   server (the app API at the origin the browser used, the link-domain operations at
//!   `LINK_BASE_URL`), which is what the page loads.
//!
//! These paths are not API routes (they are not in `template.yaml` and never deployed); the
//! router answers them before routing, on the app port only.

use crate::event::RawRequest;
use lambda_http::{Body, Response};
use std::path::PathBuf;

/// The Swagger UI files the page uses, served from `node_modules/swagger-ui-dist/`.
const ASSETS: &[(&str, &str)] = &[
    ("swagger-ui.css", "text/css; charset=utf-8"),
    ("swagger-ui-bundle.js", "text/javascript; charset=utf-8"),
    ("favicon-32x32.png", "image/png"),
];

const PAGE: &str = r#"<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Canopy API reference</title>
<link rel="icon" href="/docs/favicon-32x32.png">
<link rel="stylesheet" href="/docs/swagger-ui.css">
</head>
<body>
<div id="swagger-ui"></div>
<script src="/docs/swagger-ui-bundle.js"></script>
<script src="/docs/init.js"></script>
</body>
</html>
"#;

const INIT: &str = r##"window.ui = SwaggerUIBundle({
  url: "/openapi.json",
  dom_id: "#swagger-ui",
  deepLinking: true,
  displayOperationId: true,
  tryItOutEnabled: true,
  persistAuthorization: true,
  presets: [SwaggerUIBundle.presets.apis],
  layout: "BaseLayout",
});
"##;

/// The answer for a reference-page path, or `None` for everything else (the API's routes).
pub fn serve(raw: &RawRequest) -> Option<Response<Body>> {
    if raw.method != "GET" && raw.method != "HEAD" {
        return None;
    }
    let path = raw.path.as_str();
    match path {
        "/docs" | "/docs/" => Some(text(200, "text/html; charset=utf-8", PAGE.to_string())),
        "/docs/init.js" => Some(text(
            200,
            "text/javascript; charset=utf-8",
            INIT.to_string(),
        )),
        "/openapi.yaml" => Some(match std::fs::read_to_string(root().join("openapi.yaml")) {
            Ok(yaml) => text(200, "application/yaml; charset=utf-8", yaml),
            Err(_) => missing("openapi.yaml"),
        }),
        "/openapi.json" => Some(match document(raw) {
            Some(json) => text(200, "application/json", json),
            None => missing("openapi.yaml"),
        }),
        _ => {
            let name = path.strip_prefix("/docs/")?;
            let (name, content_type) = ASSETS.iter().find(|(n, _)| *n == name)?;
            let file = root().join("node_modules/swagger-ui-dist").join(name);
            Some(match std::fs::read(file) {
                Ok(bytes) => Response::builder()
                    .status(200)
                    .header("content-type", *content_type)
                    .header("cache-control", "no-cache")
                    .body(Body::Binary(bytes))
                    .unwrap_or_else(|_| Response::new(Body::Empty)),
                Err(_) => missing("node_modules/swagger-ui-dist (run scripts/setup.sh)"),
            })
        }
    }
}

fn root() -> PathBuf {
    crate::template::repo_root()
}

/// `openapi.yaml` as JSON, with its servers pointed at this dev server.
fn document(raw: &RawRequest) -> Option<String> {
    let yaml = std::fs::read_to_string(root().join("openapi.yaml")).ok()?;
    let value: serde_yaml::Value = serde_yaml::from_str(&yaml).ok()?;
    let mut doc = serde_json::to_value(value).ok()?;
    let host = raw
        .headers
        .get("host")
        .cloned()
        .unwrap_or_else(|| "127.0.0.1".into());
    doc["servers"] = serde_json::json!([{ "url": format!("http://{host}"), "description": "this dev server (app API)" }]);
    if let (Ok(link), Some(paths)) = (
        std::env::var("LINK_BASE_URL"),
        doc.get_mut("paths").and_then(|p| p.as_object_mut()),
    ) {
        for item in paths.values_mut() {
            if item.get("servers").is_some() {
                item["servers"] = serde_json::json!([{ "url": link, "description": "this dev server (link domain)" }]);
            }
        }
    }
    serde_json::to_string(&doc).ok()
}

fn text(status: u16, content_type: &str, body: String) -> Response<Body> {
    Response::builder()
        .status(status)
        .header("content-type", content_type)
        .header("cache-control", "no-cache")
        .body(Body::Text(body))
        .unwrap_or_else(|_| Response::new(Body::Empty))
}

fn missing(what: &str) -> Response<Body> {
    text(
        503,
        "text/plain; charset=utf-8",
        format!("The reference page needs {what}.\n"),
    )
}
