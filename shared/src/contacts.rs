//! A practice's address book: the contact item shared by contacts/invites, signup pairing
//! and standard conversations.

use crate::adapters::dynamo::{self, keys, StoreError};
use crate::app::App;
use crate::domain::contact_info::{DisplayName, EmailAddress, PhoneNumber};
use crate::domain::ids::{AccountId, ContactId, ConversationId, OrgId};
use serde::{Deserialize, Serialize};

/// Derived from the contact's state, never stored independently of it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ContactStatus {
    NotInvited,
    Invited,
    HasAccount,
}

/// `ORG#o` / `CONTACT#ct`; search keys on GSI1 (name), GSI2 (phone), GSI3 (email), all
/// under `ORG#o#CT` (see `keys::contact_search_pk`).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ContactItem {
    pub pk: String,
    pub sk: String,
    pub id: ContactId,
    pub org_id: OrgId,
    pub name: DisplayName,
    pub phone: Option<PhoneNumber>,
    pub email: Option<EmailAddress>,
    /// Set when the patient has an account paired with this practice.
    pub account_id: Option<AccountId>,
    /// Set when an invite has been sent.
    #[serde(default)]
    pub invited_at: Option<i64>,
    #[serde(default)]
    pub conversation_ids: Vec<ConversationId>,
    pub created_at: i64,
    #[serde(default)]
    pub gsi1pk: Option<String>,
    #[serde(default)]
    pub gsi1sk: Option<String>,
    #[serde(default)]
    pub gsi2pk: Option<String>,
    #[serde(default)]
    pub gsi2sk: Option<String>,
    #[serde(default)]
    pub gsi3pk: Option<String>,
    #[serde(default)]
    pub gsi3sk: Option<String>,
}

impl ContactItem {
    pub fn status(&self) -> ContactStatus {
        if self.account_id.is_some() {
            ContactStatus::HasAccount
        } else if self.invited_at.is_some() {
            ContactStatus::Invited
        } else {
            ContactStatus::NotInvited
        }
    }

    pub fn key_for(org: &OrgId, contact: &ContactId) -> dynamo::Item {
        dynamo::key(keys::org_pk(org), keys::contact_sk(contact))
    }
}

/// A contact of this practice (another practice's contact id is simply not found).
pub async fn get(
    app: &App,
    org: &OrgId,
    contact: &ContactId,
) -> Result<Option<ContactItem>, StoreError> {
    let out = app
        .db
        .get_item()
        .table_name(app.table())
        .set_key(Some(ContactItem::key_for(org, contact)))
        .consistent_read(true)
        .send()
        .await?;
    out.item.map(dynamo::from_item).transpose()
}
