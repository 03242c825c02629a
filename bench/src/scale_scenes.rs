//! The scenes the scale section compares, small beside large: a practice with 10 or 10,000
//! conversations, a conversation with 10 or 100,000 messages, a group of 2 or 51 (the
//! most a conversation can be created with: `MAX_PARTICIPANTS` patients and the staff
//! member). One real conversation is made through the API in each; the bulk is copies of
//! the items the handlers wrote for it, seeded with `BatchWriteItem` (see [`crate::seed`]).

use crate::recorder::Recorder;
use crate::seed::{batch_write, copy_of, puts_mentioning};
use canopy_shared::adapters::dynamo::Dynamo;
use canopy_shared::app::{dynamodb_config, load_sdk_config};
use canopy_shared::domain::ids::{ConversationId, MessageId};
use canopy_shared::App;
use canopy_tests::fixtures::{Patient, Staff};
use canopy_tests::Harness;
use std::time::Instant;

/// The harness the scale section runs on: its store's calls are counted
/// (`app.db_calls`) and recorded (to seed copies, and to see which items a read writes).
pub struct ScaleBench {
    pub h: Harness,
    pub recorder: Recorder,
    /// A plain client for seeding (not counted, not recorded).
    pub seeder: aws_sdk_dynamodb::Client,
}

/// One conversation measured, its practice's staff member and its patients.
pub struct Scene {
    pub staff: Staff,
    pub patients: Vec<Patient>,
    pub conversation: String,
    /// Items seeded in bulk for it, and the seconds that took.
    pub seeded: usize,
    pub seed_seconds: f64,
}

impl ScaleBench {
    pub async fn new() -> Self {
        let sdk = load_sdk_config().await;
        let mut app = App::from_parts(&sdk, canopy_tests::settings().await);
        let recorder = Recorder::default();
        let config = dynamodb_config(&sdk)
            .interceptor(app.db_calls.clone())
            .interceptor(recorder.clone())
            .build();
        let table = app.table().to_string();
        app.store = Dynamo::new(aws_sdk_dynamodb::Client::from_conf(config), table);
        Self {
            h: Harness::with_app(app),
            recorder,
            seeder: aws_sdk_dynamodb::Client::from_conf(dynamodb_config(&sdk).build()),
        }
    }

    /// A practice with `patients` patients and one conversation with all of them.
    async fn practice(&self, name: &str, patients: usize) -> Scene {
        let staff = self.h.new_practice(name).await;
        let mut people = Vec::with_capacity(patients);
        for i in 0..patients {
            people.push(self.h.new_patient(&staff, &format!("Patient {i}")).await);
        }
        let ids: Vec<&str> = people.iter().map(|p| p.contact_id.as_str()).collect();
        self.recorder.take();
        let conversation = self.h.new_conversation(&staff, &ids, None).await;
        Scene {
            staff,
            patients: people,
            conversation,
            seeded: 0,
            seed_seconds: 0.0,
        }
    }

    /// A practice whose staff see `conversations` conversations in all (the measured one
    /// and copies of it).
    pub async fn practice_with_conversations(&self, name: &str, conversations: usize) -> Scene {
        let mut scene = self.practice(name, 1).await;
        let template = puts_mentioning(&self.recorder.take(), &scene.conversation);
        assert!(!template.is_empty(), "the create wrote the conversation");
        let mut items = Vec::new();
        for _ in 1..conversations {
            let id = ConversationId::generate_secure().to_string();
            items.extend(
                template
                    .iter()
                    .map(|t| copy_of(t, &[(&scene.conversation, &id)])),
            );
        }
        self.seed(&mut scene, items).await;
        scene
    }

    /// A conversation with `messages` messages (one posted, the rest copies of it).
    pub async fn conversation_with_messages(&self, name: &str, messages: usize) -> Scene {
        let mut scene = self.practice(name, 1).await;
        let tag = format!("seed-{}", ulid::Ulid::new());
        self.recorder.take();
        let id = self
            .h
            .post_id(&scene.staff, &scene.conversation, "Seeded message", &tag)
            .await;
        let template = puts_mentioning(&self.recorder.take(), &id);
        assert!(!template.is_empty(), "the post wrote the message");
        let mut items = Vec::new();
        for i in 1..messages {
            let (copy, copy_tag) = (MessageId::generate().to_string(), format!("{tag}-{i}"));
            items.extend(
                template
                    .iter()
                    .map(|t| copy_of(t, &[(&id, &copy), (&tag, &copy_tag)])),
            );
        }
        self.seed(&mut scene, items).await;
        scene
    }

    /// A conversation of `patients` patients and the staff member.
    pub async fn group(&self, name: &str, patients: usize) -> Scene {
        self.practice(name, patients).await
    }

    async fn seed(&self, scene: &mut Scene, items: Vec<serde_json::Value>) {
        let started = Instant::now();
        scene.seeded = items.len();
        batch_write(&self.seeder, self.h.table(), items).await;
        scene.seed_seconds = started.elapsed().as_secs_f64();
    }
}
