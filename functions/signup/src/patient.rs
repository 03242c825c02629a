//! The items pairing writes besides the shared ones: the practice's patient record and the
//! link-pairing uniqueness item.

use aws_sdk_dynamodb::types::{TransactWriteItem, Update};
use canopy_shared::adapters::dynamo::{self, keys, n, s, StoreError};
use canopy_shared::domain::ids::{AccountId, ContactId, ConversationId, LinkId, OrgId};
use canopy_shared::App;
use serde::{Deserialize, Serialize};

/// `ORG#o` / `PATIENT#a` (GSI1 `ACCT#a` / `PAIRED#ORG#o`): the patient is paired with the
/// practice. An Update that creates or refreshes it, so a second pairing (another link, or
/// an invite after a link) needs no read and no condition.
pub fn upsert_patient(
    app: &App,
    org: &OrgId,
    account: &AccountId,
    contact: &ContactId,
    now: i64,
) -> Result<TransactWriteItem, StoreError> {
    let update = Update::builder()
        .table_name(app.table())
        .set_key(Some(dynamo::key(
            keys::org_pk(org),
            keys::patient_sk(account),
        )))
        .update_expression(
            "SET #g1pk = :g1pk, #g1sk = :g1sk, #account = :a, #org = :o, #contact = :c, \
             #paired_at = if_not_exists(#paired_at, :now) ADD #pairings :one",
        )
        .expression_attribute_names("#g1pk", "gsi1pk")
        .expression_attribute_names("#g1sk", "gsi1sk")
        .expression_attribute_names("#account", "account_id")
        .expression_attribute_names("#org", "org_id")
        .expression_attribute_names("#contact", "contact_id")
        .expression_attribute_names("#paired_at", "paired_at")
        .expression_attribute_names("#pairings", "pairings")
        .expression_attribute_values(":g1pk", s(keys::account_pk(account)))
        .expression_attribute_values(":g1sk", s(keys::paired_gsi_sk(org)))
        .expression_attribute_values(":a", s(account.to_string()))
        .expression_attribute_values(":o", s(org.to_string()))
        .expression_attribute_values(":c", s(contact.to_string()))
        .expression_attribute_values(":now", n(now))
        .expression_attribute_values(":one", n(1))
        .build()
        .map_err(|e| StoreError::Other(e.to_string()))?;
    Ok(TransactWriteItem::builder().update(update).build())
}

/// `PAIRING#org#acct#link` / `#PAIRING`: the one conversation a patient's signup through a
/// link made. Put with `attribute_not_exists` in the pairing transaction.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PairingItem {
    pub pk: String,
    pub sk: String,
    pub org_id: OrgId,
    pub account_id: AccountId,
    pub link_id: LinkId,
    pub contact_id: ContactId,
    pub conversation_id: ConversationId,
    pub created_at: i64,
}

pub async fn get_pairing(
    app: &App,
    org: &OrgId,
    account: &AccountId,
    link: &LinkId,
) -> Result<Option<PairingItem>, StoreError> {
    let out = app
        .db
        .get_item()
        .table_name(app.table())
        .set_key(Some(dynamo::key(
            keys::link_pairing_pk(org, account, link),
            keys::PAIRING_SK,
        )))
        .consistent_read(true)
        .send()
        .await?;
    out.item.map(dynamo::from_item).transpose()
}
