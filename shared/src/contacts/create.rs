//! Create a contact (`POST /v1/contacts`): staff add a patient to the practice's address
//! book. Duplicates are allowed (families share numbers); search shows them side by side.
//!
//! Round trips: one TransactWriteItems (contact + audit).

use super::model::Contact;
use crate::adapters::dynamo::StoreError;
use crate::domain::caller::{Caller, NotAllowed};
use crate::domain::contact_info::{DisplayName, EmailAddress, PhoneNumber};
use crate::domain::ids::ContactId;
use crate::links::rules::InvalidField;
use crate::ports::contacts::ContactStore;

/// The request as parsed from the body; blank phone or email count as absent.
#[derive(Debug, Clone, Default)]
pub struct CreateContact {
    pub name: String,
    pub phone: Option<String>,
    pub email: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CreateContactError {
    #[error(transparent)]
    NotAllowed(#[from] NotAllowed),
    #[error(transparent)]
    Invalid(#[from] InvalidField),
    #[error(transparent)]
    Store(#[from] StoreError),
}

fn given(raw: &Option<String>) -> Option<&str> {
    raw.as_deref().filter(|v| !v.trim().is_empty())
}

pub async fn create_contact(
    store: &impl ContactStore,
    caller: &Caller,
    request: CreateContact,
    now: i64,
    request_id: &str,
) -> Result<Contact, CreateContactError> {
    let org = caller.staff_org()?;
    let name = DisplayName::parse(&request.name).map_err(|e| InvalidField::new("name", e))?;
    let phone = given(&request.phone)
        .map(PhoneNumber::parse)
        .transpose()
        .map_err(|e| InvalidField::new("phone", e))?;
    let email = given(&request.email)
        .map(EmailAddress::parse)
        .transpose()
        .map_err(|e| InvalidField::new("email", e))?;
    if phone.is_none() && email.is_none() {
        return Err(InvalidField::new("phone", "give a phone number or an email").into());
    }
    let contact = Contact::new(&org, ContactId::generate(), name, phone, email, now);
    let audit = crate::links::staff_audit(
        caller,
        &org,
        "contact.create",
        vec![contact.id.to_string()],
        request_id,
    );
    store.insert_contact(&contact, &audit, now).await?;
    Ok(contact)
}
