//! A contact's conversations, one item each (`ORG#o#CONTACT#ct` / `CONV#conv`): written in
//! the invite and pairing transactions, read newest first by `GET /v1/contacts/{id}` (one
//! Query, at most [`CONVERSATIONS_SHOWN`] items). See the parent module.

use super::ContactItem;
use crate::adapters::dynamo::{from_items, keys, s, Dynamo, StoreError, Tx};
use crate::contacts::Contact;
use crate::domain::ids::{ContactId, ConversationId, OrgId};
use serde::{Deserialize, Serialize};

/// How many of a contact's conversations `GET /v1/contacts/{id}` lists: the newest 100 (a
/// page's maximum; the inbox lists them all).
pub const CONVERSATIONS_SHOWN: usize = 100;

/// One conversation with a contact (its own item; see the module docs).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ContactConversationItem {
    pub pk: String,
    pub sk: String,
    pub org_id: OrgId,
    pub contact_id: ContactId,
    pub conversation_id: ConversationId,
}

/// Lists `conversation` under `contact` in `tx` (slot `contact_conversation`); putting it
/// twice is harmless.
pub fn list_conversation(
    tx: &mut Tx,
    org: &OrgId,
    contact: &ContactId,
    conversation: &ConversationId,
) -> Result<(), StoreError> {
    tx.put(
        "contact_conversation",
        &ContactConversationItem {
            pk: keys::contact_conversations_pk(org, contact),
            sk: keys::contact_conversation_sk(conversation),
            org_id: *org,
            contact_id: *contact,
            conversation_id: *conversation,
        },
    )?;
    Ok(())
}

/// A new contact's item (in `slot`), and its conversations as their own items, in `tx`.
pub fn put_new_contact(
    tx: &mut Tx,
    slot: &'static str,
    contact: &Contact,
) -> Result<(), StoreError> {
    let mut item = ContactItem::from(contact);
    let conversations = std::mem::take(&mut item.conversation_ids);
    tx.put_new(slot, &item)?;
    for c in &conversations {
        list_conversation(tx, &contact.org_id, &contact.id, c)?;
    }
    Ok(())
}

impl Dynamo {
    /// The newest [`CONVERSATIONS_SHOWN`] conversations listed under a contact: one Query.
    pub(super) async fn contact_conversations(
        &self,
        org: &OrgId,
        contact: &ContactId,
    ) -> Result<Vec<ConversationId>, StoreError> {
        let out = self
            .client()
            .query()
            .table_name(self.table())
            .key_condition_expression("#pk = :pk AND begins_with(#sk, :prefix)")
            .expression_attribute_names("#pk", "pk")
            .expression_attribute_names("#sk", "sk")
            .expression_attribute_values(":pk", s(keys::contact_conversations_pk(org, contact)))
            .expression_attribute_values(":prefix", s(keys::CONTACT_CONVERSATION_PREFIX))
            .scan_index_forward(false)
            .limit(CONVERSATIONS_SHOWN as i32)
            .send()
            .await?;
        let items: Vec<ContactConversationItem> = from_items(out.items.unwrap_or_default())?;
        Ok(items.into_iter().map(|i| i.conversation_id).collect())
    }
}
