//! Deny by default: functions authenticate their callers themselves (there is no API
//! Gateway authorizer), so a function that forgot to would serve anyone. Every app API
//! route the template declares is called without a token and with a forged one; only the
//! routes in `PUBLIC_ROUTES` may answer anything but 401, and that list is exactly the
//! operations `openapi.yaml` marks `security: []` on the app API.

use canopy_local::template::{repo_root, Api};
use canopy_shared::domain::secrets::new_token;
use canopy_shared::http::authenticate::PUBLIC_ROUTES;
use canopy_tests::Harness;
use std::collections::BTreeSet;

/// `METHOD /path` of every operation `openapi.yaml` declares with `security: []`.
fn openapi_public_operations() -> BTreeSet<String> {
    let text = std::fs::read_to_string(repo_root().join("openapi.yaml")).unwrap();
    let doc: serde_yaml::Value = serde_yaml::from_str(&text).unwrap();
    let mut public = BTreeSet::new();
    for (path, item) in doc["paths"].as_mapping().unwrap() {
        for (method, op) in item.as_mapping().unwrap() {
            let open = op["security"].as_sequence().is_some_and(|s| s.is_empty());
            if open {
                let method = method.as_str().unwrap().to_ascii_uppercase();
                public.insert(format!("{method} {}", path.as_str().unwrap()));
            }
        }
    }
    public
}

#[tokio::test]
async fn every_app_route_but_the_public_ones_refuses_a_caller_without_a_live_token() {
    let (h, owner) = Harness::with_practice("Deny By Default").await;
    let app_routes: Vec<_> = h
        .router
        .routes()
        .iter()
        .filter(|r| r.api == Api::App)
        .cloned()
        .collect();
    let keys: BTreeSet<String> = app_routes.iter().map(|r| r.key()).collect();
    let declared_public: BTreeSet<String> = PUBLIC_ROUTES.iter().map(|r| r.to_string()).collect();
    let openapi_public: BTreeSet<String> = openapi_public_operations()
        .into_iter()
        .filter(|op| keys.contains(op))
        .collect();
    assert_eq!(declared_public, openapi_public, "public routes");

    // The owner's names with a secret that was never issued.
    let forged = format!("{}.{}.{}", owner.account_id, owner.org_id, new_token());
    let mut refused = 0;
    for route in &app_routes {
        let path = route.path.replace('{', "x").replace('}', "");
        for token in [None, Some(forged.as_str())] {
            let headers = token
                .map(|t| ("authorization".to_string(), format!("Bearer {t}")))
                .into_iter()
                .collect();
            let reply = h
                .raw(Api::App, &route.method, &path, headers, Vec::new())
                .await;
            if declared_public.contains(&route.key()) {
                assert_ne!(reply.status, 401, "{} is public", route.key());
            } else {
                assert_eq!(
                    reply.status,
                    401,
                    "{} {token:?}: {}",
                    route.key(),
                    reply.text
                );
                assert_eq!(reply.error_code(), "unauthorized");
                refused += 1;
            }
        }
    }
    assert!(refused >= 2 * 25, "only {refused} refusals");
}
