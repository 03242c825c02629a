//! The HTTP edge shared by every function: parse → call the use case → map its typed
//! error to the contract's status and JSON error.

pub mod authenticate;
pub mod body;
pub mod deferred;
pub mod error;
mod errors_access;
mod errors_attachments;
mod errors_audit;
mod errors_contacts;
mod errors_conversations;
mod errors_invites;
mod errors_links;
mod errors_notifications;
mod errors_practice;
pub mod idempotency;
pub mod request;
pub mod response;
pub mod serve;

pub use body::JsonBody;
pub use deferred::{proven, resolved};
pub use error::ApiError;
pub use idempotency::idempotent;
pub use request::{json_body, page_limit, path_id, path_param, query_param, Caller};
pub use response::{json, no_content, HttpResult, Page};
pub use serve::{authenticated, instrumented, unknown_route};
