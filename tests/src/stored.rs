//! What tests read (and, for the one state no route reaches, write) in the table directly,
//! through the domain's own getters and item types, kept in this one place so a move of
//! those types touches one file of the suite.

use crate::Harness;
use aws_sdk_dynamodb::types::{AttributeValue, Put, TransactWriteItem};
use canopy_shared::adapters::dynamo::contacts::ContactItem;
use canopy_shared::adapters::dynamo::conversations::ConversationItem;
use canopy_shared::adapters::dynamo::invites::InviteItem;
use canopy_shared::adapters::dynamo::links::LinkItem;
use canopy_shared::ports::contacts::ContactStore;
use canopy_shared::ports::conversations::ConversationStore;
use canopy_shared::ports::invites::InviteStore;
use canopy_shared::ports::links::LinkStore;
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
}
