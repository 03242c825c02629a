//! The read receipt of the newest message (the patient reads what staff just posted),
//! against its floor. Each timed read needs a message newer than the horizon, so every
//! sample posts first (untimed, through the handler). The floor replays the recorded read
//! of one such message with the new message's id and a fresh transaction token, wave by
//! wave: requests the handler had in flight together are sent together.

use crate::recorder::{waves, Recorded};
use crate::warm::Sample;
use crate::warm_scenarios::Bench;
use serde_json::{json, Value};
use std::time::Instant;

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

/// `template` (the recorded read of `template_id`) for message `id`.
fn fresh(template: &[Vec<Recorded>], template_id: &str, id: &str) -> Vec<Vec<Recorded>> {
    let one = |r: &Recorded| {
        let mut json: Value =
            serde_json::from_str(&r.body.replace(template_id, id)).expect("json body");
        if json.get("ClientRequestToken").is_some() {
            json["ClientRequestToken"] = json!(ulid::Ulid::new().to_string());
        }
        Recorded {
            body: json.to_string(),
            ..r.clone()
        }
    };
    template
        .iter()
        .map(|wave| wave.iter().map(one).collect())
        .collect()
}

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
    b.recorder.take();
    assert_eq!(
        b.invoke("MessagesFunction", &read(&template_id)).await.0,
        200
    );
    let template = waves(b.recorder.take());

    let (mut handler, mut direct, mut raw) = (
        Vec::with_capacity(n),
        Vec::with_capacity(n),
        Vec::with_capacity(n),
    );
    for i in 0..n {
        let id = post(b, &conversation, &staff, format!("r-{i}")).await;
        let event = read(&id);
        let started = Instant::now();
        assert_eq!(b.invoke("MessagesFunction", &event).await.0, 200);
        handler.push(started.elapsed().as_secs_f64() * 1000.0);
    }
    for (i, samples) in [&mut direct, &mut raw].into_iter().enumerate() {
        for j in 0..n {
            let id = post(b, &conversation, &staff, format!("r-floor-{i}-{j}")).await;
            let requests = fresh(&template, &template_id, &id);
            let started = Instant::now();
            for wave in &requests {
                if i == 0 {
                    b.sdk_replay(wave, true).await;
                } else {
                    b.replay(wave, true).await;
                }
            }
            samples.push(started.elapsed().as_secs_f64() * 1000.0);
        }
    }
    b.recorder.take();
    Sample {
        name: "POST /v1/conversations/{id}/read (newest)".into(),
        handler,
        direct,
        raw,
    }
}
