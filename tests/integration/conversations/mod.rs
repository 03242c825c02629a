//! Conversations, messages and receipts (issue 5, and the inbox part of issue 4).

mod authorization;
mod concurrency;
mod flows;
mod group_receipts;
mod proven_reads;
mod proven_staff;
mod receipts;
mod round_trips;
mod staff_round_trips;
