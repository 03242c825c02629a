//! # canopy-local: Canopy on one machine
//!
//! No Docker here, so no `sam local`. Instead one process hosts every function behind the
//! routes `template.yaml` declares (so the template stays the one source of routing truth;
//! each function authenticates its own callers), and talks to DynamoDB Local and moto through the
//! standard `AWS_ENDPOINT_URL_*` variables, exactly as the deployed functions talk to AWS.
//! The integration tests drive the same [`router::Router`] in process.

pub mod custom_resources;
pub mod docs;
pub mod event;
pub mod event_functions;
pub mod functions;
pub mod pool;
pub mod reminders;
pub mod router;
pub mod server;
pub mod stand_ins;
pub mod stream;
pub mod table;
pub mod template;
pub mod uploads;
