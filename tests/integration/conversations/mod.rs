//! Conversations, messages and receipts (issue 5, and the inbox part of issue 4).

mod authorization;
mod concurrency;
mod flows;
mod proven_reads;
mod receipts;
mod round_trips;
