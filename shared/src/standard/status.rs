//! Delivery status from the providers' events (End User Messaging SMS events, SES
//! Delivery / Bounce / Complaint), already parsed by the edge into a [`StatusEvent`].
//!
//! Round trips: one conditional UpdateItem on the message, keyed from the ids the event
//! carries back (SMS `context`, SES message tags), so there is no lookup. A bounce or
//! complaint also opts the address out: one more transaction (the thread item and every
//! standard conversation of that practice with the address).

use crate::adapters::dynamo::StoreError;
use crate::domain::ids::OrgId;
use crate::ports::standard::{DeliveryChange, StandardStore};
use crate::standard::model::{Address, DeliveryStatus, MessageRef};

/// A provider's report on one message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatusEvent {
    pub org_id: OrgId,
    pub message: MessageRef,
    pub status: DeliveryStatus,
    pub reason: Option<String>,
    pub at_ms: i64,
    /// The recipient, for bounces and complaints (which opt the address out).
    pub recipient: Option<Address>,
}

/// What applying an event did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Applied {
    /// The message's status moved (false: a duplicate or late event; nothing changed).
    pub moved: bool,
    pub opted_out: bool,
}

pub async fn apply(store: &dyn StandardStore, event: &StatusEvent) -> Result<Applied, StoreError> {
    let moved = store
        .advance_delivery(&DeliveryChange {
            message: event.message,
            status: event.status,
            reason: event.reason.clone(),
            at_ms: event.at_ms,
        })
        .await?;
    let opts_out = matches!(
        event.status,
        DeliveryStatus::Bounced | DeliveryStatus::Complained
    );
    let mut opted_out = false;
    if opts_out {
        if let Some(address) = &event.recipient {
            // Idempotent: setting the opt-out again changes nothing.
            store
                .set_opt_out(&event.org_id, address, true, event.at_ms)
                .await?;
            opted_out = true;
        }
    }
    Ok(Applied { moved, opted_out })
}
