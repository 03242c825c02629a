//! Routes requests the way API Gateway would, by the routes declared in `template.yaml`:
//! match method and path template, build the payload-2.0 event, and invoke the function in
//! process. There is no authorizer: each function authenticates its callers itself
//! (`canopy_shared::http::authenticate`), as in AWS.

use crate::event::{api_gateway_event, RawRequest};
use crate::functions;
use crate::template::{Api, Route, Template, TemplateError};
use canopy_shared::App;
use lambda_http::{Body, Response};
use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, Ordering};

pub struct Router {
    routes: Vec<Route>,
    counter: AtomicU64,
}

/// A route matched for a request, with its path parameters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Matched<'a> {
    pub route: &'a Route,
    pub params: BTreeMap<String, String>,
}

impl Router {
    pub fn from_template(template: &Template) -> Result<Self, TemplateError> {
        let mut routes = template.routes()?;
        // Literal segments beat `{params}` (API Gateway's "most specific route wins"):
        // sort routes with more literal segments first.
        routes.sort_by_key(|r| {
            std::cmp::Reverse(r.path.split('/').filter(|s| !s.starts_with('{')).count())
        });
        Ok(Self {
            routes,
            counter: AtomicU64::new(0),
        })
    }

    pub fn routes(&self) -> &[Route] {
        &self.routes
    }

    /// The route for a method and path on one API, if any.
    pub fn find(&self, api: Api, method: &str, path: &str) -> Option<Matched<'_>> {
        let segments: Vec<&str> = path.trim_end_matches('/').split('/').collect();
        self.routes
            .iter()
            .filter(|r| r.api == api && r.method == method)
            .find_map(|route| {
                let pattern: Vec<&str> = route.path.split('/').collect();
                if pattern.len() != segments.len() {
                    return None;
                }
                let mut params = BTreeMap::new();
                for (p, s) in pattern.iter().zip(&segments) {
                    if let Some(name) = p.strip_prefix('{').and_then(|p| p.strip_suffix('}')) {
                        if s.is_empty() {
                            return None;
                        }
                        params.insert(name.to_string(), crate::event::percent_decode(s));
                    } else if p != s {
                        return None;
                    }
                }
                Some(Matched { route, params })
            })
    }

    /// Handles one request end to end, as API Gateway + Lambda would.
    pub async fn dispatch(&self, app: &App, api: Api, raw: RawRequest) -> Response<Body> {
        // The API reference (`/docs`, `/openapi.yaml`): dev-server pages, not API routes;
        // `/_local/...`: the stand-ins for AWS's inbound channels (see `stand_ins`).
        if api == Api::App {
            if let Some(page) = crate::docs::serve(&raw) {
                return page;
            }
            if let Some(response) = crate::stand_ins::dispatch(app, &raw).await {
                return response;
            }
        }
        let request_id = format!("local-{:08}", self.counter.fetch_add(1, Ordering::Relaxed));
        let Some(matched) = self.find(api, &raw.method, &raw.path) else {
            return json_error(404, "not_found", "No such route.");
        };
        let event = api_gateway_event(&raw, &matched.route.key(), &matched.params, &request_id);
        let request = match lambda_http::request::from_str(&event.to_string()) {
            Ok(r) => r,
            Err(_) => return json_error(400, "bad_request", "The request could not be read."),
        };
        match functions::invoke(&matched.route.function, app, request).await {
            Some(response) => response,
            None => json_error(500, "internal_error", "No such function in this build."),
        }
    }
}

fn json_error(status: u16, code: &str, message: &str) -> Response<Body> {
    let body = serde_json::json!({ "error": { "code": code, "message": message } }).to_string();
    Response::builder()
        .status(status)
        .header("content-type", "application/json")
        .body(Body::Text(body))
        .unwrap_or_else(|_| Response::new(Body::Empty))
}
