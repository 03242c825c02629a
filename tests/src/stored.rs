//! What tests read (and, for the one state no route reaches, write) in the table directly,
//! through the domain's own getters and item types, kept in this one place so a move of
//! those types touches one file of the suite.

use crate::Harness;
use aws_sdk_dynamodb::types::{AttributeValue, Put, TransactWriteItem};
use canopy_shared::contacts::ContactItem;
use canopy_shared::conversations::ConversationItem;
use canopy_shared::invites::InviteItem;
use canopy_shared::links::LinkItem;
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
            canopy_shared::conversations::get(&self.app, &id.parse().unwrap()).await,
            "conversation stored",
        )
    }

    /// The practice's stored contact.
    pub async fn stored_contact(&self, org: &str, id: &str) -> ContactItem {
        found(
            canopy_shared::contacts::get(&self.app, &org.parse().unwrap(), &id.parse().unwrap())
                .await,
            "contact stored",
        )
    }

    /// The stored link with this code.
    pub async fn stored_link(&self, code: &str) -> LinkItem {
        found(
            canopy_shared::links::get_by_code(&self.app, code).await,
            "link stored",
        )
    }

    /// The practice's stored invite record.
    pub async fn stored_invite(&self, org: &str, id: &str) -> InviteItem {
        found(
            canopy_shared::invites::get(&self.app, &org.parse().unwrap(), &id.parse().unwrap())
                .await,
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
