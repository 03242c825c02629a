//! Adapters translate between the domain and AWS; they do not decide anything.

pub mod call_counter;
pub mod dynamo;
pub mod s3;
pub mod ses;
pub mod sns;
