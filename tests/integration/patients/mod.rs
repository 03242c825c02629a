//! Contacts, invites, patient signup and pairing (issue 4).

mod contacts;
mod invites;
mod signup;
