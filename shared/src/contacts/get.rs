//! Read one contact (`GET /v1/contacts/{id}`): a contact of the caller's practice, with its
//! status and every conversation with that patient. The read is audited.
//!
//! Round trips: one GetItem and the audit PutItem, concurrently.

use super::model::Contact;
use crate::adapters::dynamo::StoreError;
use crate::domain::caller::{Caller, NotAllowed};
use crate::domain::ids::ContactId;
use crate::ports::contacts::ContactStore;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum GetContactError {
    #[error(transparent)]
    NotAllowed(#[from] NotAllowed),
    /// Unknown, or another practice's.
    #[error("no such contact")]
    NotFound,
    #[error(transparent)]
    Store(#[from] StoreError),
}

pub async fn get_contact(
    store: &impl ContactStore,
    caller: &Caller,
    id: &ContactId,
    now: i64,
    request_id: &str,
) -> Result<Contact, GetContactError> {
    let org = caller.staff_org()?;
    let audit = crate::links::staff_audit(
        caller,
        &org,
        "contact.read",
        vec![id.to_string()],
        request_id,
    );
    store
        .contact_audited(&org, id, &audit, now)
        .await?
        .ok_or(GetContactError::NotFound)
}
