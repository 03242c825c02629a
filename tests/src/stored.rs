//! What tests read (and, for the one state no route reaches, write) in the table directly,
//! through the domain's own getters and item types, kept in this one place so a move of
//! those types touches one file of the suite.

use crate::Harness;
use aws_sdk_dynamodb::types::{AttributeValue, Put, TransactWriteItem};
use canopy_shared::access::sessions::{token, Session};
use canopy_shared::adapters::dynamo::access::SessionItem;
use canopy_shared::adapters::dynamo::contacts::ContactItem;
use canopy_shared::adapters::dynamo::conversations::ConversationItem;
use canopy_shared::adapters::dynamo::invites::InviteItem;
use canopy_shared::adapters::dynamo::links::LinkItem;
use canopy_shared::adapters::dynamo::practice::items::MemberItem;
use canopy_shared::adapters::dynamo::to_item;
use canopy_shared::domain::contact_info::{DisplayName, EmailAddress};
use canopy_shared::domain::role::Role;
use canopy_shared::domain::secrets::token_hash;
use canopy_shared::ports::contacts::ContactStore;
use canopy_shared::ports::conversations::ConversationStore;
use canopy_shared::ports::invites::InviteStore;
use canopy_shared::ports::links::LinkStore;
use canopy_shared::practice::model::{Member, MemberStatus};
use std::collections::HashMap;

/// The item a read found, or a panic naming what was missing (or why the read failed).
fn found<T, E: std::fmt::Debug>(read: Result<Option<T>, E>, what: &str) -> T {
    read.unwrap_or_else(|e| panic!("{what}: {e:?}"))
        .unwrap_or_else(|| panic!("{what}: none"))
}

impl Harness {
    /// The conversation's stored meta item.
    pub async fn stored_conversation(&self, id: &str) -> ConversationItem {
        found(
            ConversationStore::conversation(&self.app.store, &id.parse().unwrap())
                .await
                .map(|c| c.as_ref().map(ConversationItem::from_model)),
            "conversation stored",
        )
    }

    /// The practice's stored contact.
    pub async fn stored_contact(&self, org: &str, id: &str) -> ContactItem {
        found(
            self.app
                .store
                .contact(&org.parse().unwrap(), &id.parse().unwrap())
                .await
                .map(|c| c.as_ref().map(ContactItem::from)),
            "contact stored",
        )
    }

    /// The stored link with this code.
    pub async fn stored_link(&self, code: &str) -> LinkItem {
        found(
            self.app
                .store
                .link_by_code(code)
                .await
                .map(|l| l.as_ref().map(LinkItem::from)),
            "link stored",
        )
    }

    /// The practice's stored invite record.
    pub async fn stored_invite(&self, org: &str, id: &str) -> InviteItem {
        found(
            self.app
                .store
                .invite(&org.parse().unwrap(), &id.parse().unwrap())
                .await
                .map(|i| i.as_ref().map(InviteItem::from)),
            "invite stored",
        )
    }

    /// Puts these items in one transaction (their NULL attributes left out).
    pub async fn put_items(&self, items: &[HashMap<String, AttributeValue>]) {
        let writes = items.iter().map(|item| {
            let mut item = item.clone();
            item.retain(|_, v| !v.is_null());
            let put = Put::builder()
                .table_name(self.table())
                .set_item(Some(item))
                .build()
                .unwrap();
            TransactWriteItem::builder().put(put).build()
        });
        self.db
            .transact_write_items()
            .set_transact_items(Some(writes.collect()))
            .send()
            .await
            .expect("items written");
    }

    /// Stores a live session for `token` (which names its account and practice) and, for
    /// staff, their membership with `role`: the caller a fixed event fixture carries, which
    /// no sign-in could produce (sign-ins draw their tokens at random).
    pub async fn put_caller(&self, token: &str, role: Role) {
        let claims = token::claims(token).expect("a token naming its caller");
        let now = self.app.now_ms();
        let session = Session {
            token_hash: token_hash(token),
            account_id: claims.account_id,
            role,
            org_id: claims.org_id,
            created_at: now,
            last_used_at: now,
            expires_at: now + 3600 * 1000,
            user_agent: None,
        };
        let mut items = vec![to_item(&SessionItem::new(&session)).unwrap()];
        if let Some(org) = claims.org_id {
            let member = Member {
                account_id: claims.account_id,
                org_id: org,
                name: DisplayName::parse("Event Fixture").unwrap(),
                email: EmailAddress::parse("fixture@example.com").unwrap(),
                role,
                status: MemberStatus::Active,
                created_at: now,
            };
            items.push(to_item(&MemberItem::new(&member)).unwrap());
        }
        self.put_items(&items).await;
    }
}

impl Harness {
    /// `(action, targets)` of every audit item `actor` left this month without a practice:
    /// a patient's (a patient belongs to no one practice, so these are kept under
    /// `AUDIT#-#<month>` and are in no practice's trail).
    pub async fn stored_unpracticed_audit(&self, actor: &str) -> Vec<(String, Vec<String>)> {
        let month = &canopy_shared::domain::time::rfc3339(self.app.now_ms())[..7];
        let pk = canopy_shared::adapters::dynamo::keys::audit_pk(None, month);
        let mut found = Vec::new();
        let mut pages = self
            .db
            .query()
            .table_name(self.table())
            .key_condition_expression("pk = :pk")
            .filter_expression("actor = :a")
            .expression_attribute_values(":pk", AttributeValue::S(pk))
            .expression_attribute_values(":a", AttributeValue::S(actor.to_string()))
            .into_paginator()
            .items()
            .send();
        while let Some(item) = pages.next().await {
            let item = item.expect("audit items read");
            let text = |k: &str| item.get(k).and_then(|v| v.as_s().ok()).cloned();
            let targets = item
                .get("targets")
                .and_then(|v| v.as_l().ok())
                .map(|l| l.iter().filter_map(|t| t.as_s().ok().cloned()).collect())
                .unwrap_or_default();
            found.push((text("action").unwrap_or_default(), targets));
        }
        found
    }
}

impl Harness {
    /// The challenge's stored item as DynamoDB holds it (strongly consistent).
    pub async fn stored_challenge_item(&self, challenge: &str) -> HashMap<String, AttributeValue> {
        use canopy_shared::adapters::dynamo::{key, keys};
        self.db
            .get_item()
            .table_name(self.table())
            .set_key(Some(key(
                keys::challenge_pk(&challenge.parse().unwrap()),
                keys::CHALLENGE_SK,
            )))
            .consistent_read(true)
            .send()
            .await
            .expect("challenge read")
            .item
            .expect("the challenge is stored")
    }
}
