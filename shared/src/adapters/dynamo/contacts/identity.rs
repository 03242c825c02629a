//! The staff identity confirmation's one transaction (see `contacts::confirm`).
//!
//! | slot | item | condition |
//! |---|---|---|
//! | `conversation` | Update `CONV#c` / `#META`: `identity = verified`, `contact_ids = [contact]` | this practice's, still unverified, still with the signup's contact |
//! | `contact` | Update `ORG#o` / `CONTACT#ct`: `account_id = a` | exists; no account or this one |
//! | `contact_conversation` | Put the listing under the confirmed contact | |
//! | `signup_listing` | Delete the listing under the signup's contact | |
//! | `patient` | Update `ORG#o` / `PATIENT#a`: `contact_id = ct` | exists |
//! | `audit` | Put the audit item | |

use super::contact_key;
use super::conversations::list_conversation;
use crate::adapters::dynamo::conversations::items::ConversationItem;
use crate::adapters::dynamo::{key, keys, s, to_attribute, Dynamo, Expr, StoreError, Tx, TxError};
use crate::conversations::Identity;
use crate::ports::contacts::{ConfirmRefused, IdentityConfirmation, IdentityStore};
use crate::services::audit::AuditEvent;
use async_trait::async_trait;
use aws_sdk_dynamodb::types::AttributeValue;

fn confirmation_tx(
    c: &IdentityConfirmation,
    audit: &AuditEvent<'_>,
    now: i64,
) -> Result<Tx, StoreError> {
    let mut tx = Tx::new();
    let mut meta = Expr::new(
        "attribute_exists(#pk) AND #org = :org AND #identity = :unverified AND #cids = :was",
    );
    meta.name("#pk", "pk")
        .name("#org", "org_id")
        .name("#identity", "identity")
        .name("#cids", "contact_ids")
        .value(":org", s(c.org.to_string()))
        .value(":unverified", to_attribute(&Identity::Unverified)?)
        .value(":verified", to_attribute(&Identity::Verified)?)
        .value(
            ":was",
            AttributeValue::L(vec![s(c.signup_contact.to_string())]),
        )
        .value(
            ":now_cids",
            AttributeValue::L(vec![s(c.contact.to_string())]),
        );
    tx.update(
        "conversation",
        ConversationItem::key_for(&c.conversation),
        "SET #identity = :verified, #cids = :now_cids",
        meta,
    )?;

    let mut contact =
        Expr::new("attribute_exists(#pk) AND (attribute_not_exists(#account) OR #account = :a)");
    contact
        .name("#pk", "pk")
        .name("#account", "account_id")
        .value(":a", s(c.account.to_string()));
    tx.update(
        "contact",
        contact_key(&c.org, &c.contact),
        "SET #account = :a",
        contact,
    )?;
    list_conversation(&mut tx, &c.org, &c.contact, &c.conversation)?;
    if c.signup_contact != c.contact {
        tx.delete(
            "signup_listing",
            key(
                keys::contact_conversations_pk(&c.org, &c.signup_contact),
                keys::contact_conversation_sk(&c.conversation),
            ),
            None,
        )?;
    }

    let mut patient = Expr::new("attribute_exists(#pk)");
    patient
        .name("#pk", "pk")
        .name("#contact", "contact_id")
        .value(":c", s(c.contact.to_string()));
    tx.update(
        "patient",
        key(keys::org_pk(&c.org), keys::patient_sk(&c.account)),
        "SET #contact = :c",
        patient,
    )?;
    tx.audit(audit, now)?;
    Ok(tx)
}

#[async_trait]
impl IdentityStore for Dynamo {
    async fn confirm_identity(
        &self,
        confirmation: &IdentityConfirmation,
        audit: &AuditEvent<'_>,
        now: i64,
    ) -> Result<(), ConfirmRefused> {
        let tx = confirmation_tx(confirmation, audit, now)?;
        self.commit(tx).await.map_err(|e| match e {
            TxError::Refused("conversation" | "patient") => ConfirmRefused::Conversation,
            TxError::Refused(_) => ConfirmRefused::Contact,
            TxError::Store(e) => e.into(),
        })
    }
}
