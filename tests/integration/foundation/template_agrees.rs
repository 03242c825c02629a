//! template.yaml is the one source of truth: the local table is built from it, and every
//! route it declares reaches a handler that knows it.

use canopy_local::template;
use canopy_tests::Harness;

#[test]
fn the_table_definition_has_the_keys_and_indexes_the_code_uses() {
    use canopy_shared::adapters::dynamo::keys::{GSI1, GSI2, GSI3};
    let table = template::load_default().unwrap().table().unwrap();
    assert_eq!(table.hash_key, "pk");
    assert_eq!(table.range_key.as_deref(), Some("sk"));
    assert_eq!(table.ttl_attribute.as_deref(), Some("ttl"));
    for (name, n) in [(GSI1, 1), (GSI2, 2), (GSI3, 3)] {
        let index = table
            .indexes
            .iter()
            .find(|i| i.name == name)
            .unwrap_or_else(|| panic!("{name} missing"));
        assert_eq!(index.hash_key, format!("gsi{n}pk"));
        assert_eq!(
            index.range_key.as_deref(),
            Some(format!("gsi{n}sk").as_str())
        );
    }
    for attribute in [
        "pk", "sk", "gsi1pk", "gsi1sk", "gsi2pk", "gsi2sk", "gsi3pk", "gsi3sk",
    ] {
        assert!(
            table
                .attributes
                .iter()
                .any(|(a, t)| a == attribute && t == "S"),
            "{attribute}"
        );
    }
}

#[tokio::test]
async fn the_local_table_is_created_exactly_as_declared() {
    let h = Harness::new().await;
    let described =
        h.db.describe_table()
            .table_name(h.table())
            .send()
            .await
            .unwrap();
    let t = described.table.unwrap();
    let declared = template::load_default().unwrap().table().unwrap();
    let mut indexes: Vec<String> = t
        .global_secondary_indexes()
        .iter()
        .filter_map(|i| i.index_name().map(String::from))
        .collect();
    indexes.sort();
    let mut want: Vec<String> = declared.indexes.iter().map(|i| i.name.clone()).collect();
    want.sort();
    assert_eq!(indexes, want);
    assert_eq!(t.key_schema().len(), 2);
}

#[tokio::test]
async fn every_declared_route_reaches_a_handler_that_serves_it() {
    let (h, owner) = Harness::with_practice("Routes").await;
    let routes = h.router.routes().to_vec();
    assert!(routes.len() >= 29, "{} routes", routes.len());
    for route in routes {
        let path = route
            .path
            .replace("{code}", "zzzz-unknown")
            .replace('{', "x")
            .replace('}', "");
        let api = route.api;
        let headers = [(
            "authorization".to_string(),
            format!("Bearer {}", owner.token),
        )]
        .into();
        let reply = h.raw(api, &route.method, &path, headers, Vec::new()).await;
        // Anything but the router's or a function's "No such route." means the handler
        // recognised its route key (it may well refuse the empty request).
        let unknown = reply.status == 404 && reply.text.contains("No such route");
        assert!(
            !unknown,
            "{} {} is declared but no handler serves it",
            route.method, route.path
        );
        assert!(
            reply.status < 500,
            "{} {} → {}",
            route.method,
            route.path,
            reply.status
        );
    }
}

#[tokio::test]
async fn the_call_counter_names_each_operation() {
    let h = Harness::new().await;
    h.app.db_calls.reset();
    let _ = h.public().auth_start_email("nobody@example.com").await;
    // Login alias, pending staff invitations, send budget, then challenge + budget.
    assert_eq!(
        h.app.db_calls.operations(),
        vec!["GetItem", "Query", "BatchGetItem", "TransactWriteItems"]
    );
}
