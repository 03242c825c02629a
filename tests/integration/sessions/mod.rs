//! Issue 12, items 5, 7 and 8: sessions users can end, forged page cursors, and
//! `Idempotency-Key` claims left behind by a crash.

mod cursors;
mod idempotency;
mod idempotent_creates;
mod lifecycle;
mod named_tokens;
