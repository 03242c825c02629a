//! # Sync: every change in an account's conversations, numbered without gaps
//!
//! `GET /v1/sync?after=` serves a per-account feed that the table's stream consumer
//! (`functions/stream`) writes: new messages (`M#` inserts), read-horizon moves (`R#`
//! receipt inserts) and conversation changes (meta inserts, and meta modifications that
//! change the subject, read-only flag, state or participants). Each participant of the
//! conversation (the meta's `participant_ids`, the removed ones included for the change
//! that removed them) gets the change in their own feed. Staff who see a conversation
//! through the practice inbox without taking part in it follow the practice inbox.
//!
//! Items (keys in `adapters::dynamo::keys`): `SYNC#a` / `#HEAD` {seq, applied} and
//! `SYNC#a` / `<seq:016>` {conversation_id, at, change, ttl}. See [`feed`] for why the
//! numbering has no gaps, and [`model::RETENTION_MS`] for the retention window.
//!
//! The consumer also keeps each participant's inbox row (`CONV#c` / `P#a`, GSI1
//! `ACCT#a#INBOX`) equal to the conversation's newest meta image ([`model::InboxProjection`]:
//! activity, counters for the unread count, subject, state), so a patient's inbox is one
//! Query. Rows lag the meta by the stream's delay (about a second).

pub mod feed;
pub mod model;
