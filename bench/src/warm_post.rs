//! A message post against its floor: the handler's one transaction replayed through the
//! SDK (and as raw HTTP) with fresh ids, interleaved with the handler's posts.

use crate::warm::Sample;
use crate::warm_scenarios::Bench;
use serde_json::{json, Value};

pub const NAME: &str = "POST /v1/conversations/{id}/messages";

/// `n` posts by the caller of `ctx` (an `authorization` value) in `conversation`.
pub async fn post(b: &Bench, ctx: &str, conversation: &str, n: usize) -> Sample {
    // Post: the floor replays the handler's transaction with fresh ids substituted (the
    // message's, its client id's, the audit item's).
    let post_event = |i: usize| {
        b.event(
            "POST",
            "POST /v1/conversations/{id}/messages",
            &format!("/v1/conversations/{conversation}/messages"),
            Some(json!({"text": "How are you feeling today?", "client_message_id": format!("bench-{i}")})),
            Some(&ctx.to_string()),
            &[],
        )
    };
    let ((status, body), template) = b
        .recorded("MessagesFunction", &post_event(usize::MAX))
        .await;
    assert_eq!(status, 201, "{body}");
    let template_id = serde_json::from_str::<Value>(&body).expect("json")["id"]
        .as_str()
        .expect("id")
        .to_string();
    let template_tag = format!("bench-{}", usize::MAX);
    // Each floor call is made ready just before it is timed: a post's id must be newer than
    // every message already in the conversation (the handler's posts included), and the
    // two floors' ids, made within one millisecond, come from one monotonic generator.
    let ids = std::cell::RefCell::new(ulid::Generator::new());
    let floor_call = |i: usize| {
        let mut calls = crate::floor::calls_rewritten(
            &b.direct,
            std::slice::from_ref(&template),
            1,
            |_, side, body| {
                let id = ids.borrow_mut().generate().expect("a monotonic id");
                body.replace(&template_id, &format!("msg_{id}"))
                    .replace(&template_tag, &format!("{side}-{i}"))
            },
        );
        calls.pop().expect("one call")
    };
    let mut sample = Sample::new(NAME, n);
    for i in 0..n {
        sample
            .time_handler(b, "MessagesFunction", &post_event(i), 201)
            .await;
        let call = floor_call(i);
        sample.time_sdk(b, &call).await;
        sample.time_raw(b, &call).await;
    }
    sample
}
