//! The dev server's HTTP side: hyper on loopback, one listener per API, each request handed
//! to the [`Router`] as API Gateway would.

use crate::event::RawRequest;
use crate::router::Router;
use crate::template::Api;
use canopy_shared::App;
use http_body_util::{BodyExt, Full, Limited};
use hyper::body::{Bytes, Incoming};
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::Arc;
use tokio::net::TcpListener;

/// API Gateway's payload limit.
const MAX_BODY: usize = 10 * 1024 * 1024;

pub async fn serve(listener: TcpListener, api: Api, app: Arc<App>, router: Arc<Router>) {
    loop {
        let Ok((stream, peer)) = listener.accept().await else {
            continue;
        };
        // Responses go out whole, at once: without this, Nagle's algorithm can hold a
        // response's last segment for the client's delayed ACK (tens of ms on loopback).
        let _ = stream.set_nodelay(true);
        let app = app.clone();
        let router = router.clone();
        tokio::spawn(async move {
            let service = service_fn(move |req| {
                let app = app.clone();
                let router = router.clone();
                async move { Ok::<_, Infallible>(handle(&app, &router, api, peer, req).await) }
            });
            let _ = hyper::server::conn::http1::Builder::new()
                .serve_connection(TokioIo::new(stream), service)
                .await;
        });
    }
}

async fn handle(
    app: &App,
    router: &Router,
    api: Api,
    peer: SocketAddr,
    req: hyper::Request<Incoming>,
) -> hyper::Response<Full<Bytes>> {
    let (parts, body) = req.into_parts();
    let body = match Limited::new(body, MAX_BODY).collect().await {
        Ok(collected) => collected.to_bytes().to_vec(),
        Err(_) => return plain(413, "payload too large"),
    };
    let headers = parts.headers.iter().fold(
        std::collections::BTreeMap::new(),
        |mut map, (name, value)| {
            let value = String::from_utf8_lossy(value.as_bytes()).into_owned();
            map.entry(name.as_str().to_ascii_lowercase())
                .and_modify(|v: &mut String| {
                    v.push(',');
                    v.push_str(&value)
                })
                .or_insert(value);
            map
        },
    );
    let raw = RawRequest {
        method: parts.method.as_str().to_string(),
        path: parts.uri.path().to_string(),
        query: parts.uri.query().unwrap_or_default().to_string(),
        headers,
        body,
        source_ip: peer.ip().to_string(),
    };
    let response = router.dispatch(app, api, raw).await;
    let (parts, body) = response.into_parts();
    let bytes = match body {
        lambda_http::Body::Empty => Bytes::new(),
        lambda_http::Body::Text(t) => Bytes::from(t),
        lambda_http::Body::Binary(b) => Bytes::from(b),
        _ => Bytes::new(),
    };
    hyper::Response::from_parts(parts, Full::new(bytes))
}

fn plain(status: u16, text: &'static str) -> hyper::Response<Full<Bytes>> {
    let mut response = hyper::Response::new(Full::new(Bytes::from_static(text.as_bytes())));
    *response.status_mut() =
        hyper::StatusCode::from_u16(status).unwrap_or(hyper::StatusCode::BAD_REQUEST);
    response
}
