//! Attach-and-post: a message post carrying one ready attachment, against its floor.
//!
//! The handler's calls are S3 `GetObject` (the attachment's card: what the message shows,
//! `canopy_shared::attachments::card`), S3 `GetObjectTagging` + `PutObjectTagging` (the
//! object leaves the never-attached lifecycle rule) and the post's one
//! `TransactWriteItems`: ONE DynamoDB round trip (it was a `BatchGetItem` before it). The
//! floor issues exactly those calls directly: the recorded DynamoDB request replayed through
//! the SDK with fresh message, key and attachment ids, and the three S3 calls through the
//! same thin adapter methods. Every timed post needs its own ready attachment (a file goes
//! on one message only), so the pools are made before timing: objects put into moto as a
//! client would, items written `ready` and their cards written as the upload check would.

use crate::recorder::waves;
use crate::warm::{ms, Sample};
use crate::warm_scenarios::Bench;
use canopy_shared::adapters::dynamo::attachments::AttachmentItem;
use canopy_shared::adapters::dynamo::to_item;
use canopy_shared::adapters::s3::S3Files;
use canopy_shared::attachments::card::{card_key, AttachmentCard};
use canopy_shared::attachments::model::{Attachment, ContentType, Filename, Status};
use canopy_shared::domain::ids::{AccountId, AttachmentId, ConversationId};
use canopy_shared::ports::attachments::AttachmentFiles;
use serde_json::{json, Value};
use std::time::Instant;

/// A small real JPEG (the integration tests' fixture).
const JPEG: &[u8] = include_bytes!("../../tests/integration/attachments/fixtures/grey.jpg");

/// `count` ready attachments of `uploader` in `conversation`, their objects in the bucket.
async fn ready_pool(
    b: &Bench,
    files: &S3Files,
    conversation: ConversationId,
    uploader: AccountId,
    count: usize,
) -> Vec<Attachment> {
    let mut pool = Vec::with_capacity(count);
    for _ in 0..count {
        let mut a = Attachment {
            id: AttachmentId::generate(),
            conversation_id: conversation,
            uploader,
            filename: Filename::parse("photo.jpg").expect("a valid name"),
            content_type: ContentType::Jpeg,
            size: JPEG.len() as u64,
            status: Status::Ready,
            reject_reason: None,
            checked_etag: None,
            message_id: None,
            created_at: b.h.app.now_ms(),
        };
        let etag = files
            .put_as_client(&a.object_key(), a.content_type, JPEG.to_vec())
            .await
            .expect("put the object");
        a.checked_etag = Some(etag);
        let item = to_item(&AttachmentItem::from_model(&a)).expect("item");
        b.direct
            .put_item()
            .table_name(b.h.app.table())
            .set_item(Some(item))
            .send()
            .await
            .expect("write the ready item");
        files
            .write_card(
                &card_key(&conversation, &a.id),
                AttachmentCard::of(&a).to_bytes(),
            )
            .await
            .expect("write the card");
        pool.push(a);
    }
    pool
}

pub const NAME: &str = "POST /v1/conversations/{id}/messages with 1 attachment (floor: the same 2 DynamoDB calls, session and transaction, + 3 S3 calls)";

pub async fn attach_and_post(b: &Bench, n: usize) -> Sample {
    let files = canopy_local::uploads::files()
        .await
        .expect("ATTACHMENTS_BUCKET (the stack's environment)");
    let owner = b.h.new_practice("Bench Attach Clinic").await;
    let patient = b.h.new_patient(&owner, "Pat Attach").await;
    let conversation =
        b.h.new_conversation(&owner, &[&patient.contact_id], None)
            .await;
    let conv: ConversationId = conversation.parse().expect("conversation id");
    let sender: AccountId = patient.account_id.parse().expect("account id");
    let ctx = b.context(&patient.token).await.expect("patient context");
    let for_handler = ready_pool(b, files, conv, sender, n + 1).await;
    let for_floor = ready_pool(b, files, conv, sender, n).await;

    let post_event = |i: usize, attachment: &Attachment| {
        b.event(
            "POST",
            "POST /v1/conversations/{id}/messages",
            &format!("/v1/conversations/{conversation}/messages"),
            Some(
                json!({"text": "Photo attached.", "client_message_id": format!("att-{i}"),
                        "attachment_ids": [attachment.id]}),
            ),
            Some(&ctx),
            &[],
        )
    };
    // One post recorded: the caller's session GetItem (the handler authenticates itself),
    // then its one TransactWriteItems: together the floor's template.
    let ((status, body), template) = b
        .recorded("MessagesFunction", &post_event(usize::MAX, &for_handler[n]))
        .await;
    assert_eq!(status, 201, "{body}");
    assert_eq!(
        template.len(),
        2,
        "the session GetItem, then one TransactWriteItems and no other read"
    );
    let template_message = serde_json::from_str::<Value>(&body).expect("json")["id"]
        .as_str()
        .expect("id")
        .to_string();
    let template_attachment = for_handler[n].id.to_string();

    // Interleaved call by call (the machine's load weighs on both alike); each floor call
    // is made ready just before its clock starts, with a message id newer than every post
    // so far (one monotonic generator) and its own attachment ([`crate::floor`]).
    let template = waves(template);
    let ids = std::cell::RefCell::new(ulid::Generator::new());
    let template_tag = format!("att-{}", usize::MAX);
    let mut sample = Sample::new(NAME, n);
    for i in 0..n {
        let event = post_event(i, &for_handler[i]);
        sample
            .time_handler(b, "MessagesFunction", &event, 201)
            .await;

        let mut calls = crate::floor::calls_rewritten(&b.direct, &template, 1, |_, _, body| {
            let id = ids.borrow_mut().generate().expect("a monotonic id");
            body.replace(&template_message, &format!("msg_{id}"))
                .replace(&template_attachment, &for_floor[i].id.to_string())
                .replace(&template_tag, &format!("floor-{i}"))
        });
        let call = calls.pop().expect("one call");
        let key = for_floor[i].object_key();
        let card = card_key(&conv, &for_floor[i].id);
        let started = Instant::now();
        let read = files.read_card(&card).await.expect("read the card");
        assert!(read.is_some(), "the card is there");
        files.mark_attached(&key).await.expect("tag the object");
        b.sdk_send_waves(&call.sdk).await;
        sample.direct.push(ms(started));
    }
    sample
}
