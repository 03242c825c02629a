//! What signup start stores in the challenge's payload and verify reads back once the codes
//! are proven (so verify never sees an invite token again: the token is only ever hashed).
//! The JSON shape is stored: change it only with a migration of live challenges in mind.

use crate::domain::contact_info::{DisplayName, EmailAddress, PhoneNumber};
use crate::domain::ids::{ContactId, ConversationId, InviteId, LinkId, OrgId};
use serde::{Deserialize, Serialize};

#[derive(Clone, Serialize, Deserialize)]
pub struct Signup {
    pub name: DisplayName,
    pub phone: PhoneNumber,
    pub email: Option<EmailAddress>,
    pub via: Via,
}

#[derive(Clone, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Via {
    Link {
        org_id: OrgId,
        link_id: LinkId,
        code: String,
        tags: Vec<String>,
    },
    Invite {
        org_id: OrgId,
        invite_id: InviteId,
        token_hash: String,
        contact_id: ContactId,
        conversation_id: ConversationId,
    },
}
