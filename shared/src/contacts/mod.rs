//! A practice's address book: the home of the contacts aggregate.
//!
//! - [`model`]: the contact ([`Contact`]) without table keys, its status and search keys;
//! - [`matching`]: how a link signup's details compare with the contacts on file;
//! - use cases, one per file, each with its error enum: [`create`], [`get`], [`search`].
//!
//! Storage is behind [`crate::ports::contacts::ContactStore`] (the DynamoDB side is
//! `adapters::dynamo::contacts`); the HTTP mapping of the errors is `http::errors_contacts`.
//! Invites change contacts too (invited, paired): that is in `crate::invites` and
//! `crate::pairing`, inside their own transactions.

pub mod confirm;
pub mod create;
pub mod get;
pub mod matching;
pub mod model;
pub mod search;

pub use confirm::{confirm_identity, ConfirmError, Confirmed};
pub use create::{create_contact, CreateContact, CreateContactError};
pub use get::{get_contact, GetContactError};
pub use matching::contact_match;
pub use model::{email_key, phone_key, Contact, ContactStatus};
pub use search::{search_by, search_contacts, ContactPage, SearchBy, SearchContactsError};

// SHIM (issue 9): kept for the `channels` and `notify` branches (`contacts::ContactItem`,
// `ContactItem::new`); remove once they build contacts with `Contact::new`.
pub use crate::adapters::dynamo::contacts::ContactItem;
