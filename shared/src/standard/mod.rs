//! # Standard conversations: SMS and email, out and in
//!
//! The home of the plain-channel half of a patient conversation (API.md, "Standard
//! conversations"). HTTP posts only queue a message (one round trip); everything that
//! talks to a provider happens in the event functions:
//!
//! ```text
//!  POST …/messages ──(1 TransactWriteItems: M#m delivery=queued)──▶ table
//!        table stream ──(filter: INSERT, M#, outbound, queued)──▶ fn-stream ─▶ send::send_all
//!              ├─ SMS  ─▶ End User Messaging SendTextMessage (context: ids)
//!              └─ email ─▶ SES SendEmail (configuration set, tags: ids)
//!        provider events ─▶ SNS ─▶ fn-delivery-status ─▶ status::apply (forward only)
//!        two-way SMS ─▶ SNS ─▶ fn-inbound-sms ─▶ inbound::receive (keywords, threading)
//!        SES receipt rule ─▶ S3 + SNS ─▶ fn-inbound-email ─▶ inbound::receive
//! ```
//!
//! - [`model`]: channels, addresses, direction, the forward-only [`model::DeliveryStatus`].
//! - [`keywords`]: STOP / START / HELP.
//! - [`send`]: the stream consumer's use case (one write per message).
//! - [`redrive`]: the reminders sweep's safety net for a message the stream never sent.
//! - [`status`]: delivery events (one conditional write, keyed from the event).
//! - [`inbound`]: threading and opt-out.
//!
//! Storage is behind [`crate::ports::standard::StandardStore`]
//! (`adapters::dynamo::standard`); the senders behind
//! [`crate::ports::standard::SmsSender`] / [`crate::ports::standard::EmailSender`].

pub mod channels;
pub mod inbound;
pub mod keywords;
pub mod model;
pub mod redrive;
pub mod send;
pub mod status;
