//! Domain types and rules: no AWS types here, unit-tested without any server.

pub mod caller;
pub mod contact_info;
pub mod ids;
pub mod phone;
pub mod plain_name;
pub mod role;
pub mod secrets;
pub mod time;
