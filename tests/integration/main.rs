//! The workspace's integration tests: one binary (each extra test binary would link the
//! whole AWS SDK again), one module per area. They need the local stack: run them with
//! `scripts/test.sh`.

mod attachments;
mod audit;
mod channels;
mod conversations;
mod events_replay;
mod foundation;
mod growth;
mod hardening;
mod journeys;
mod links;
mod notifications;
mod patients;
mod sessions;
