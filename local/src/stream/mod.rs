//! Lambda's DynamoDB Streams event source mapping, emulated for the local stack: see
//! [`emulator::StreamEmulator`]. The filter ([`filter`]), batch size and retry bound come
//! from `template.yaml` ([`mapping`]); records are built as Lambda builds them
//! ([`records`]).

pub mod emulator;
pub mod filter;
pub mod get_records;
pub mod mapping;
pub mod records;

pub use emulator::StreamEmulator;
