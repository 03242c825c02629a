//! Contacts, invites, patient signup and pairing (issue 4).

mod contacts;
mod identity;
mod invites;
mod signup;
