//! SHIM (issue 9): see [`crate::access::sessions`]; a sign-in adds its session to its
//! transaction with `adapters::dynamo::access::put_session`.

pub use crate::access::sessions::{Session, PATIENT_SESSION_MS, STAFF_SESSION_MS};
pub use crate::adapters::dynamo::access::legacy::issue_session as issue;
pub use crate::adapters::dynamo::access::SessionItem;
