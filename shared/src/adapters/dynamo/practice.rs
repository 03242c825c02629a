//! The DynamoDB side of the practice aggregate: practices (`ORG#o` / `#META`), members
//! (`ORG#o` / `MEMBER#a`, GSI1 `ACCT#a` / `ORG#o`), accounts (`ACCT#a` / `#PROFILE`),
//! login aliases (`LOGIN#email#e`, `LOGIN#phone#p` / `#LOGIN`) and staff invitations
//! (`STAFFINV#e` / `ORG#o`). [`items`] holds the item structs; `team` and `sign_in`
//! implement the two ports, one transaction per write.

pub mod items;
pub mod legacy;
mod sign_in;
mod team;

pub use items::{AccountItem, LoginItem, MemberItem, OrgItem, StaffInviteItem};
