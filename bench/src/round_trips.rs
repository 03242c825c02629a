//! Sequential DynamoDB round trips per request, authentication included, for the routes
//! the issue names: each called once through its handler with every DynamoDB request
//! recorded; requests in flight together are one round trip ([`crate::recorder::waves`]).
//! The staff token has been resolved by the process before (`access::proven_staff`), as
//! every request of a token but its first in a process (and the first after a change of
//! its practice's access) finds it.
//! The tests assert the calls per route; this reports how many of them are sequential.

use crate::recorder::waves;
use crate::summary::Summary;
use crate::warm_scenarios::{practice_with_conversation, Bench};
use serde_json::{json, Value};
use std::fmt::Write as _;

pub async fn run(summary: &mut Summary) -> String {
    let b = Bench::new().await;
    let (owner, patient, conversation) = practice_with_conversation(&b).await;
    let (staff, patient) = (
        b.context(&owner.token).await.expect("staff"),
        b.context(&patient).await.expect("patient"),
    );
    let code = b.h.new_link(&owner, &[]).await.code;
    // Creating the link moved the practice's access version, so the owner as this process
    // remembers them is stale: one staff request reads them again, as the first request
    // after any access change does (a refused transaction, the BatchGetItem, the route
    // again). What is measured below is the steady state after it.
    let warm_up = b.event(
        "GET",
        "GET /v1/conversations",
        "/v1/conversations",
        None,
        Some(&staff),
        &[],
    );
    assert_eq!(b.invoke("ConversationsFunction", &warm_up).await.0, 200);
    let messages = format!("/v1/conversations/{conversation}/messages");
    let post = b.event(
        "POST",
        "POST /v1/conversations/{id}/messages",
        &messages,
        Some(json!({"text": "Round trips", "client_message_id": "trips-1"})),
        Some(&staff),
        &[],
    );
    b.recorder.take();
    let (status, body) = b.invoke("MessagesFunction", &post).await;
    assert_eq!(status, 201, "{body}");
    let post_waves = waves(b.recorder.take());
    let id = serde_json::from_str::<Value>(&body).expect("json")["id"]
        .as_str()
        .expect("id")
        .to_string();
    let routes = [
        (
            "GET /{code} (click)",
            "LinkPagesFunction",
            b.event(
                "GET",
                "GET /{code}",
                &format!("/{code}"),
                None,
                None,
                &[("user-agent", "Mozilla/5.0 (X11; Linux x86_64)")],
            ),
        ),
        (
            "POST …/read (newest)",
            "MessagesFunction",
            b.event(
                "POST",
                "POST /v1/conversations/{id}/read",
                &format!("/v1/conversations/{conversation}/read"),
                Some(json!({"message_id": id})),
                Some(&patient),
                &[],
            ),
        ),
        (
            "GET /v1/conversations (inbox page)",
            "ConversationsFunction",
            b.event(
                "GET",
                "GET /v1/conversations",
                "/v1/conversations",
                None,
                Some(&staff),
                &[],
            ),
        ),
        (
            "GET …/messages (page)",
            "MessagesFunction",
            b.event(
                "GET",
                "GET /v1/conversations/{id}/messages",
                &messages,
                None,
                Some(&staff),
                &[],
            ),
        ),
    ];
    let mut measured = vec![("POST …/messages (post)", post_waves)];
    for (name, function, event) in routes {
        b.recorder.take();
        let (status, body) = b.invoke(function, &event).await;
        assert!(status < 400, "{name}: {status} {body}");
        measured.push((name, waves(b.recorder.take())));
    }
    let mut out = String::from("## Sequential DynamoDB round trips per request (authentication included)\n\n| route | calls | round trips | calls per round trip |\n|---|---:|---:|---|\n");
    for (name, trips) in measured {
        let calls: usize = trips.iter().map(Vec::len).sum();
        let shape = trips
            .iter()
            .map(|w| {
                w.iter()
                    .map(|r| {
                        r.target()
                            .rsplit('.')
                            .next()
                            .unwrap_or_default()
                            .to_string()
                    })
                    .collect::<Vec<_>>()
                    .join(" ‖ ")
            })
            .collect::<Vec<_>>()
            .join(", then ");
        let _ = writeln!(out, "| {name} | {calls} | {} | {shape} |", trips.len());
        summary.add(
            &format!("sequential round trips: {name}"),
            trips.len().to_string(),
            "1",
            trips.len() == 1,
        );
    }
    out.push('\n');
    out
}
