//! The pairing transactions: a verified patient paired with a practice through a link, or
//! accepting an invite, each in ONE TransactWriteItems with named slots
//! (`ports::invites::slots`), so the use case learns which condition failed.
//!
//! Items written here besides the shared ones: the practice's patient record `ORG#o` /
//! `PATIENT#a` (GSI1 `ACCT#a` / `PAIRED#ORG#o`) and the link-pairing uniqueness item
//! `PAIRING#o#a#l` / `#PAIRING`.
//!
//! An invite acceptance from a `secure-invite` also sets `standard_conversation_id` on the
//! secure conversation and `secure_conversation_id` on the standard one, in the same
//! transaction.
//!
//! Round trips: the link-pairing lookup 1 GetItem; each commit 1 TransactWriteItems.

use super::super::contacts::{contact_key, list_conversation, put_new_contact};
use super::super::links::count_signup;
use super::super::{from_item, keys, n, s, Dynamo, Expr, StoreError, Tx, TxError};
use super::{attribute, invite_key, put_new_conversation, token_key};
use crate::adapters::dynamo::conversations::ConversationItem;
use crate::adapters::dynamo::practice::{AccountItem, LoginItem};
use crate::conversations::{ConversationKind, ConversationState, Identity};
use crate::domain::ids::{AccountId, ChallengeId, ContactId, ConversationId, LinkId, OrgId};
use crate::invites::InviteStatus;
use crate::ports::invites::{
    slots, InviteAcceptanceWrite, LinkPairingWrite, NewPatient, PairedContact, PairingStore,
    PairingWriteError,
};
use crate::practice::AccountKind;
use crate::services::audit::AuditEvent;
use async_trait::async_trait;
use aws_sdk_dynamodb::types::{AttributeValue, TransactWriteItem};
use serde::{Deserialize, Serialize};

/// The access aggregate's part of a pairing transaction: the challenge consumed (first)
/// and the patient's new session. Built from what `services::otp::consume` and
/// `services::sessions::issue` hand out today.
pub struct AccessPart {
    consume: Tx,
    session: Tx,
}

/// Wraps the challenge-consuming items and the session put for a pairing transaction.
pub fn access_part(consume: Vec<TransactWriteItem>, session: TransactWriteItem) -> AccessPart {
    let mut head = Tx::new();
    for (i, item) in consume.into_iter().enumerate() {
        let slot = if i == 0 {
            slots::CHALLENGE
        } else {
            slots::CHALLENGE_CURRENT
        };
        head.push_built(slot, item);
    }
    let mut session_tx = Tx::new();
    session_tx.push_built("session", session);
    AccessPart {
        consume: head,
        session: session_tx,
    }
}

/// `PAIRING#org#acct#link` / `#PAIRING`: the one conversation a patient's signup through a
/// link made.
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

/// A new patient's account and phone login, both only if new.
fn put_new_patient(
    tx: &mut Tx,
    account: &AccountId,
    p: &NewPatient<'_>,
    now: i64,
) -> Result<(), StoreError> {
    let item = AccountItem {
        pk: keys::account_pk(account),
        sk: keys::PROFILE_SK.into(),
        id: *account,
        kind: AccountKind::Patient,
        name: p.name.clone(),
        email: p.email.cloned(),
        phone: Some(p.phone.clone()),
        org_id: None,
        created_at: now,
    };
    let login = LoginItem {
        pk: keys::patient_phone_login_pk(p.phone),
        sk: keys::LOGIN_SK.into(),
        account_id: *account,
    };
    tx.put_new(slots::ACCOUNT, &item)?
        .put_new(slots::LOGIN, &login)?;
    Ok(())
}

/// `ORG#o` / `PATIENT#a`: created or refreshed by one update, so a second pairing (another
/// link, or an invite after a link) needs no read and no condition.
fn upsert_patient(
    tx: &mut Tx,
    org: &OrgId,
    account: &AccountId,
    contact: &ContactId,
    now: i64,
) -> Result<(), StoreError> {
    let mut e = Expr::default();
    e.name("#g1pk", "gsi1pk")
        .name("#g1sk", "gsi1sk")
        .name("#account", "account_id")
        .name("#org", "org_id")
        .name("#contact", "contact_id")
        .name("#paired_at", "paired_at")
        .name("#pairings", "pairings")
        .value(":g1pk", s(keys::account_pk(account)))
        .value(":g1sk", s(keys::paired_gsi_sk(org)))
        .value(":a", s(account.to_string()))
        .value(":o", s(org.to_string()))
        .value(":c", s(contact.to_string()))
        .value(":now", n(now))
        .value(":one", n(1));
    tx.update(
        "patient",
        super::super::key(keys::org_pk(org), keys::patient_sk(account)),
        "SET #g1pk = :g1pk, #g1sk = :g1sk, #account = :a, #org = :o, #contact = :c, \
         #paired_at = if_not_exists(#paired_at, :now) ADD #pairings :one",
        e,
    )?;
    Ok(())
}

/// The contact gains the account (unless another account has it), and optionally lists a
/// new conversation.
fn attach_contact(
    tx: &mut Tx,
    org: &OrgId,
    contact: &ContactId,
    account: &AccountId,
    conversation: Option<&ConversationId>,
) -> Result<(), StoreError> {
    let mut e =
        Expr::new("attribute_exists(#pk) AND (attribute_not_exists(#account) OR #account = :a)");
    e.name("#pk", "pk")
        .name("#account", "account_id")
        .value(":a", s(account.to_string()));
    tx.update(
        slots::CONTACT,
        contact_key(org, contact),
        "SET #account = :a",
        e,
    )?;
    // The conversation is its own item under the contact: the contact never grows.
    if let Some(c) = conversation {
        list_conversation(tx, org, contact, c)?;
    }
    Ok(())
}

/// `secure-invite` accepted: the secure conversation names the standard one it came from
/// and the standard one names the secure one, in the acceptance's transaction (two more
/// items, no extra round trip). The secure side's condition is the acceptance's own
/// (`#state = :pending`, slot `conversation`), so this only adds its pointer there.
fn link_standard(
    tx: &mut Tx,
    secure: &ConversationId,
    standard: &ConversationId,
) -> Result<(), StoreError> {
    let mut e = Expr::new("attribute_exists(#pk) AND #kind = :standard");
    e.name("#pk", "pk")
        .name("#kind", "kind")
        .name("#secure", "secure_conversation_id")
        .value(":standard", attribute(&ConversationKind::Standard)?)
        .value(":secure", s(secure.to_string()));
    tx.update(
        slots::STANDARD_CONVERSATION,
        ConversationItem::key_for(standard),
        "SET #secure = :secure",
        e,
    )?;
    Ok(())
}

fn committed(result: Result<(), TxError>) -> Result<(), PairingWriteError> {
    result.map_err(|e| match e {
        TxError::Refused(slot) => PairingWriteError::Refused(slot),
        TxError::Store(e) => PairingWriteError::Store(e),
    })
}

/// A challenge's purpose alone (projection).
#[derive(Deserialize)]
struct Purpose {
    purpose: String,
}

#[async_trait]
impl PairingStore for Dynamo {
    async fn challenge_purpose(
        &self,
        challenge: &ChallengeId,
    ) -> Result<Option<String>, StoreError> {
        let out = self
            .client()
            .get_item()
            .table_name(self.table())
            .set_key(Some(super::super::key(
                keys::challenge_pk(challenge),
                keys::CHALLENGE_SK,
            )))
            .projection_expression("#purpose")
            .expression_attribute_names("#purpose", "purpose")
            .send()
            .await?;
        let found: Option<Purpose> = out.item.map(from_item).transpose()?;
        Ok(found.map(|p| p.purpose))
    }

    async fn link_pairing(
        &self,
        org: &OrgId,
        account: &AccountId,
        link: &LinkId,
    ) -> Result<Option<ConversationId>, StoreError> {
        let out = self
            .client()
            .get_item()
            .table_name(self.table())
            .set_key(Some(super::super::key(
                keys::link_pairing_pk(org, account, link),
                keys::PAIRING_SK,
            )))
            .consistent_read(true)
            .send()
            .await?;
        let item: Option<PairingItem> = out.item.map(from_item).transpose()?;
        Ok(item.map(|p| p.conversation_id))
    }

    async fn commit_repeat_signup(
        &self,
        access: AccessPart,
        audit: &AuditEvent<'_>,
        now: i64,
    ) -> Result<(), PairingWriteError> {
        let mut tx = access.consume;
        tx.extend(access.session).audit(audit, now)?;
        committed(self.commit(tx).await)
    }

    async fn commit_link_pairing(
        &self,
        access: AccessPart,
        w: LinkPairingWrite<'_>,
        audit: &AuditEvent<'_>,
        now: i64,
    ) -> Result<(), PairingWriteError> {
        let mut tx = access.consume;
        if let Some(p) = &w.new_patient {
            put_new_patient(&mut tx, &w.account, p, now)?;
        }
        count_signup(&mut tx, w.link_code, &w.link)?;
        let contact_id = match &w.contact {
            PairedContact::OnFile(id) => *id,
            PairedContact::New(c) => c.id,
        };
        upsert_patient(&mut tx, &w.org, &w.account, &contact_id, now)?;
        put_new_conversation(&mut tx, &w.conversation)?;
        match &w.contact {
            PairedContact::OnFile(id) => attach_contact(
                &mut tx,
                &w.org,
                id,
                &w.account,
                Some(&w.conversation.meta.id),
            )?,
            PairedContact::New(c) => {
                put_new_contact(&mut tx, slots::CONTACT, c)?;
            }
        }
        let pairing = PairingItem {
            pk: keys::link_pairing_pk(&w.org, &w.account, &w.link),
            sk: keys::PAIRING_SK.into(),
            org_id: w.org,
            account_id: w.account,
            link_id: w.link,
            contact_id,
            conversation_id: w.conversation.meta.id,
            created_at: now,
        };
        tx.put_new(slots::PAIRING, &pairing)?
            .extend(access.session)
            .audit(audit, now)?;
        committed(self.commit(tx).await)
    }

    async fn commit_invite_acceptance(
        &self,
        access: AccessPart,
        w: InviteAcceptanceWrite<'_>,
        audit: &AuditEvent<'_>,
        now: i64,
    ) -> Result<(), PairingWriteError> {
        let mut tx = access.consume;
        if let Some(p) = &w.new_patient {
            put_new_patient(&mut tx, &w.account, p, now)?;
        }
        let (accepted, pending) = (
            attribute(&InviteStatus::Accepted)?,
            attribute(&InviteStatus::Pending)?,
        );
        let mut token = Expr::new("#status = :pending AND #expires_at > :now");
        token
            .name("#status", "status")
            .name("#expires_at", "expires_at")
            .value(":accepted", accepted.clone())
            .value(":pending", pending.clone())
            .value(":now", n(now));
        tx.update(
            slots::INVITE_TOKEN,
            token_key(w.token_hash),
            "SET #status = :accepted",
            token,
        )?;
        let mut record = Expr::new("#status = :pending AND #token_hash = :h");
        record
            .name("#status", "status")
            .name("#accepted_at", "accepted_at")
            .name("#account", "account_id")
            .name("#token_hash", "token_hash")
            .value(":accepted", accepted)
            .value(":pending", pending)
            .value(":now", n(now))
            .value(":a", s(w.account.to_string()))
            .value(":h", s(w.token_hash.to_string()));
        tx.update(
            slots::INVITE,
            invite_key(&w.org, &w.invite),
            "SET #status = :accepted, #accepted_at = :now, #account = :a",
            record,
        )?;
        // `participant_ids` mirrors `participants` for the post's `contains(#pids, :me)`.
        let mut meta = Expr::new("#state = :pending");
        meta.name("#state", "state")
            .name("#identity", "identity")
            .name("#participants", "participants")
            .name("#pids", "participant_ids")
            .value(":active", attribute(&ConversationState::Active)?)
            .value(":verified", attribute(&Identity::Verified)?)
            .value(":pending", attribute(&ConversationState::PendingAccount)?)
            .value(":empty", AttributeValue::L(vec![]))
            .value(":who", attribute(&[w.participant])?)
            .value(":pid", attribute(&[w.account])?);
        let mut set = String::from(
            "SET #state = :active, #identity = :verified, \
             #participants = list_append(if_not_exists(#participants, :empty), :who), \
             #pids = list_append(if_not_exists(#pids, :empty), :pid)",
        );
        if let Some(standard) = &w.from_standard {
            meta.name("#standard", "standard_conversation_id")
                .value(":standard", s(standard.to_string()));
            set.push_str(", #standard = :standard");
        }
        tx.update(
            slots::CONVERSATION,
            ConversationItem::key_for(&w.conversation),
            set,
            meta,
        )?
        .put_new(slots::PARTICIPANT, w.row)?;
        if let Some(standard) = &w.from_standard {
            link_standard(&mut tx, &w.conversation, standard)?;
        }
        attach_contact(&mut tx, &w.org, &w.contact, &w.account, None)?;
        upsert_patient(&mut tx, &w.org, &w.account, &w.contact, now)?;
        tx.extend(access.session).audit(audit, now)?;
        committed(self.commit(tx).await)
    }
}
