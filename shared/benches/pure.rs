//! Criterion benches of the hot pure paths every request takes: body parsing and
//! validation, key building, item (de)serialisation, code hashing. No I/O.

use canopy_shared::adapters::dynamo::{self, keys};
use canopy_shared::conversations::{
    new_conversation, ConversationKind, ConversationState, NewConversation, ParticipantKind,
    ParticipantRef,
};
use canopy_shared::domain::contact_info::{EmailAddress, PhoneNumber};
use canopy_shared::domain::ids::*;
use canopy_shared::domain::secrets::code_hash;
use canopy_shared::http::json_body;
use criterion::{black_box, criterion_group, criterion_main, Criterion};
use serde::Deserialize;

#[derive(Deserialize)]
#[allow(dead_code)]
struct PostBody {
    text: String,
    client_message_id: String,
}

impl canopy_shared::http::JsonBody for PostBody {}

fn request(body: &str) -> lambda_http::Request {
    let mut req = lambda_http::Request::new(lambda_http::Body::Text(body.to_string()));
    req.headers_mut()
        .insert("content-type", "application/json".parse().unwrap());
    req
}

fn conversation() -> canopy_shared::adapters::dynamo::conversations::ConversationItem {
    let participants = (0..5)
        .map(|i| ParticipantRef {
            id: AccountId::generate(),
            kind: if i < 3 {
                ParticipantKind::Patient
            } else {
                ParticipantKind::Staff
            },
            name: format!("Person {i}"),
        })
        .collect();
    let spec = NewConversation {
        id: ConversationId::generate(),
        org_id: OrgId::generate(),
        kind: ConversationKind::Secure,
        subject: Some("Clinical care".into()),
        tags: vec!["spring-flyer".into()],
        state: ConversationState::Active,
        identity: None,
        contact_match: None,
        link_id: Some(LinkId::generate()),
        contact_ids: vec![ContactId::generate()],
        channel: None,
        participants,
        created_by: None,
    };
    new_conversation(spec, 1_795_320_600_000).0
}

fn benches(c: &mut Criterion) {
    let body = r#"{"text":"Hi, the results are in. Can you call the office tomorrow?","client_message_id":"c-0001"}"#;
    c.bench_function("parse_post_body", |b| {
        let req = request(body);
        b.iter(|| json_body::<PostBody>(black_box(&req)).unwrap())
    });
    c.bench_function("phone_parse_e164", |b| {
        b.iter(|| PhoneNumber::parse(black_box("(202) 555-0143")).unwrap())
    });
    // The same parse on the `phonenumber` crate that domain::phone replaced (now only a
    // dev-dependency, the reference of its equality test), for the before/after figure.
    c.bench_function("phone_parse_e164_phonenumber_crate", |b| {
        b.iter(|| {
            let parsed = phonenumber::parse(
                Some(phonenumber::country::Id::US),
                black_box("(202) 555-0143"),
            )
            .unwrap();
            assert!(parsed.is_valid());
            parsed.format().mode(phonenumber::Mode::E164).to_string()
        })
    });
    c.bench_function("phone_parse_e164_international", |b| {
        b.iter(|| PhoneNumber::parse(black_box("+44 20 7946 0958")).unwrap())
    });
    c.bench_function("phone_parse_e164_international_phonenumber_crate", |b| {
        b.iter(|| {
            let parsed = phonenumber::parse(
                Some(phonenumber::country::Id::US),
                black_box("+44 20 7946 0958"),
            )
            .unwrap();
            assert!(parsed.is_valid());
            parsed.format().mode(phonenumber::Mode::E164).to_string()
        })
    });
    c.bench_function("phone_country", |b| {
        let phone = PhoneNumber::from_trusted("+18765230123".to_string());
        b.iter(|| black_box(&phone).country())
    });
    c.bench_function("email_parse", |b| {
        b.iter(|| EmailAddress::parse(black_box(" Ann.Lee@Example.COM ")).unwrap())
    });
    c.bench_function("id_parse", |b| {
        let id = ConversationId::generate().to_string();
        b.iter(|| black_box(&id).parse::<ConversationId>().unwrap())
    });
    c.bench_function("keys_message_and_activity", |b| {
        let (conv, msg) = (ConversationId::generate(), MessageId::generate());
        b.iter(|| {
            (
                keys::message_sk(black_box(&msg)),
                keys::activity_sk(1_795_320_600_000, black_box(&conv)),
            )
        })
    });
    let item = conversation();
    c.bench_function("conversation_to_item", |b| {
        b.iter(|| dynamo::to_item(black_box(&item)).unwrap())
    });
    let raw = dynamo::to_item(&item).unwrap();
    c.bench_function("conversation_from_item", |b| {
        b.iter(|| {
            dynamo::from_item::<canopy_shared::adapters::dynamo::conversations::ConversationItem>(
                black_box(raw.clone()),
            )
            .unwrap()
        })
    });
    c.bench_function("code_hash_hmac_sha256", |b| {
        b.iter(|| {
            code_hash(
                black_box(b"0123456789abcdef0123456789abcdef"),
                "chal_01KAAAAAAAAAAAAAAAAAAAAAAA",
                "login",
                "+12025550143",
                "123456",
            )
        })
    });
}

criterion_group!(pure, benches);
criterion_main!(pure);
