//! # Notifications: pushes without PHI and unread reminders
//!
//! Both react to the table's stream (`functions/stream`), never to the HTTP request, so a
//! post stays one round trip and a slow push service never slows it down.
//! - [`devices`]: registering a phone's push token as an SNS platform endpoint.
//! - [`push`]: a push to every other participant's devices for a new secure message, with
//!   its coalescing rule.
//! - [`reminders`]: the unread reminder by SMS or email, with its scheduling (a due index
//!   swept every minute) and why.
//! - [`texts`]: what pushes and reminders say (the practice name and a link, nothing else).
//!
//! Items (keys in `adapters::dynamo::keys`): `ACCT#a` / `DEVICE#dev` (a device),
//! `PUSHTOKEN#platform#sha256` / `#PUSHTOKEN` (a token's device), `CONV#c` / `N#a` (a
//! participant's last push and reminder run, on GSI3 `REMIND#DUE` while a reminder waits).

pub mod devices;
pub mod model;
pub mod push;
pub mod reminders;
pub mod texts;
