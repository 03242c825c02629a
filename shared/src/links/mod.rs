//! Practice links: the home of the links aggregate.
//!
//! - [`code`]: the public code a link is reached by ([`LinkCode`]);
//! - [`model`]: the link itself ([`Link`]), without table keys;
//! - [`rules`]: what labels, tags and members may hold;
//! - use cases, one per file, each with its error enum: [`create`], [`update`], [`read`]
//!   (list, public lookup, click).
//!
//! Storage is behind [`crate::ports::links::LinkStore`] (the DynamoDB side is
//! `adapters::dynamo::links`); the HTTP mapping of the errors is `http::errors_links`.

pub mod code;
pub mod create;
pub mod model;
pub mod read;
pub mod rules;
mod shims;
pub mod update;

#[cfg(test)]
mod fake;

pub use code::{BadCode, LinkCode, RESERVED_CODES};
pub use create::{create_link, CreateLink, CreateLinkError};
pub use model::{Link, LinkChanges, LinkView, NewLink};
pub use read::{active_link, click, list_links, public_link, ListLinksError, LookupError};
pub use update::{update_link, LinkPatch, UpdateLinkError};

// Shims for callers outside this lane (conversations, tests); remove after the merge.
pub use crate::adapters::dynamo::links::LinkItem;
pub use shims::{get_by_code, list_for_org};

use crate::domain::caller::Caller;
use crate::domain::ids::OrgId;
use crate::services::audit::AuditEvent;

/// The audit event of a staff member's change in their practice.
pub(crate) fn staff_audit<'a>(
    caller: &'a Caller,
    org: &'a OrgId,
    action: &'static str,
    targets: Vec<String>,
    request_id: &'a str,
) -> AuditEvent<'a> {
    AuditEvent {
        actor: Some(&caller.account_id),
        role: Some(caller.role),
        org: Some(org),
        action,
        targets,
        request_id,
        outcome: "ok",
    }
}
