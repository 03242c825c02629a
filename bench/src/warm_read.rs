//! The read receipt of the newest message (the patient reads what staff just posted),
//! against its floor. Each timed read needs a message newer than the horizon, so every
//! sample posts first (untimed, through the handler). The floor replays the recorded read
//! of one such message with the new message's id (and new audit ids and transaction token,
//! [`crate::floor`]), wave by wave: requests the handler had in flight together are sent
//! together.

use crate::floor::FloorCall;
use crate::recorder::{waves, Recorded};
use crate::warm::Sample;
use crate::warm_scenarios::Bench;
use serde_json::{json, Value};

/// Posts as staff (untimed); returns the new message's id.
async fn post(b: &Bench, conversation: &str, staff: &str, tag: String) -> String {
    let event = b.event(
        "POST",
        "POST /v1/conversations/{id}/messages",
        &format!("/v1/conversations/{conversation}/messages"),
        Some(json!({"text": "Results are in.", "client_message_id": tag})),
        Some(&staff.to_string()),
        &[],
    );
    let (status, body) = b.invoke("MessagesFunction", &event).await;
    assert_eq!(status, 201, "{body}");
    serde_json::from_str::<Value>(&body).expect("json")["id"]
        .as_str()
        .expect("id")
        .to_string()
}

/// `template` (the recorded read of `template_id`) as a floor call reading message `id`.
fn floor_call(b: &Bench, template: &[Vec<Recorded>], template_id: &str, id: &str) -> FloorCall {
    let mut calls = crate::floor::calls_rewritten(&b.direct, template, 1, |_, _, body| {
        body.replace(template_id, id)
    });
    calls.pop().expect("one call")
}

pub const NAME: &str = "POST /v1/conversations/{id}/read (newest)";

pub async fn read_receipt(b: &Bench, n: usize) -> Sample {
    let (owner, patient_token, conversation) =
        crate::warm_scenarios::practice_with_conversation(b).await;
    let staff = b.context(&owner.token).await.expect("owner context");
    let patient = b.context(&patient_token).await.expect("patient context");
    let read = |id: &str| {
        b.event(
            "POST",
            "POST /v1/conversations/{id}/read",
            &format!("/v1/conversations/{conversation}/read"),
            Some(json!({"message_id": id})),
            Some(&patient),
            &[],
        )
    };
    let template_id = post(b, &conversation, &staff, "r-template".into()).await;
    let ((status, _), recorded) = b.recorded("MessagesFunction", &read(&template_id)).await;
    assert_eq!(status, 200);
    let template = waves(recorded);

    let mut sample = Sample::new(NAME, n);
    // Interleaved, so that the machine's load weighs on the handler and its floors alike;
    // each timed read is of a message of its own, posted just before (untimed).
    for i in 0..n {
        let id = post(b, &conversation, &staff, format!("r-{i}")).await;
        sample
            .time_handler(b, "MessagesFunction", &read(&id), 200)
            .await;

        let id = post(b, &conversation, &staff, format!("r-floor-sdk-{i}")).await;
        let call = floor_call(b, &template, &template_id, &id);
        sample.time_sdk(b, &call).await;

        let id = post(b, &conversation, &staff, format!("r-floor-raw-{i}")).await;
        let call = floor_call(b, &template, &template_id, &id);
        sample.time_raw(b, &call).await;
    }
    sample
}
