//! # Conversations and messages
//!
//! The home of the aggregate: the pure model ([`model`], [`message`], [`fields`]), and one
//! file per use case, each with its own error enum and a module doc listing its round
//! trips. Use cases take the [`ConversationStore`](crate::ports::conversations::ConversationStore)
//! port, so they run against DynamoDB in the functions and against an in-memory fake in
//! the unit tests (`fake`). How items are keyed and written lives in
//! `adapters::dynamo::conversations`; the HTTP status of each error in
//! `http::errors_conversations`.
//!
//! | route | use case |
//! |---|---|
//! | `POST /v1/conversations` | [`create`] |
//! | `GET /v1/conversations` | [`inbox`] |
//! | `GET /v1/conversations/{id}` | [`show`] |
//! | `PATCH /v1/conversations/{id}` | [`change`] |
//! | `POST /v1/conversations/{id}/messages` | [`post`] |
//! | `GET /v1/conversations/{id}/messages` | [`messages_page`] |
//! | `POST /v1/conversations/{id}/read` | [`mark_read`] |
//! | `GET /v1/conversations/{id}/messages/{message_id}` | [`seen_by`] |

pub mod change;
pub mod create;
pub mod fields;
pub mod inbox;
pub mod mark_read;
pub mod message;
pub mod messages_page;
pub mod model;
pub mod post;
pub mod seen_by;
pub mod show;

#[cfg(test)]
mod fake;

pub use message::{
    next_message_id, BadClientMessageId, BadText, ClientMessageId, Delivery, Direction, Message,
    MessageText, PostRecord, Receipt, IDEMPOTENCY_MS, MAX_TEXT_CHARS, PREVIEW_CHARS,
};
pub use model::{
    Channel, Closed, ContactMatch, Conversation, ConversationKind, ConversationState, Identity,
    NewConversation, ParticipantKind, ParticipantRef, ReadState,
};

// SHIM (issue 9): kept for the `channels` and `notify` branches, which build conversation
// items by hand; remove once they use `Conversation::new` and the `ConversationStore` port.
pub use crate::adapters::dynamo::conversations::legacy::new_conversation;
pub use crate::adapters::dynamo::conversations::ConversationItem;

use crate::access::proof::SessionProof;
use crate::domain::caller::Caller;
use crate::ports::Clock;
use crate::services::audit::AuditEvent;

/// Who asks, the request's id (for the audit trail) and the clock: what every use case
/// receives besides its port and input.
#[derive(Clone, Copy)]
pub struct Context<'a> {
    pub caller: &'a Caller,
    pub request_id: &'a str,
    pub clock: &'a dyn Clock,
    /// `Some` when `caller` is only claimed (`access::proof`: a patient's token, or a staff
    /// token this process resolved before): the
    /// use case's first write must then carry this proof, and nothing it read may be
    /// released unless that write commits. `None`: the caller was resolved already.
    pub proof: Option<&'a SessionProof>,
}

impl<'a> Context<'a> {
    pub fn now(&self) -> i64 {
        self.clock.now_ms()
    }

    /// The audit event of this request.
    fn audit(
        &self,
        action: &'static str,
        targets: Vec<String>,
        outcome: &'static str,
    ) -> AuditEvent<'a> {
        AuditEvent {
            actor: Some(&self.caller.account_id),
            role: Some(self.caller.role),
            org: self.caller.org_id.as_ref(),
            action,
            targets,
            request_id: self.request_id,
            outcome,
        }
    }
}
