//! Contacts, invites, patient signup and pairing (issue 4).

mod contacts;
mod invites;
mod signup;

use canopy_shared::contacts::ContactItem;
use canopy_shared::conversations::{self, ConversationItem};
use canopy_tests::Harness;

pub async fn meta(h: &Harness, id: &str) -> ConversationItem {
    conversations::get(&h.app, &id.parse().unwrap())
        .await
        .unwrap()
        .expect("conversation stored")
}

pub async fn contact_item(h: &Harness, org: &str, id: &str) -> ContactItem {
    canopy_shared::contacts::get(&h.app, &org.parse().unwrap(), &id.parse().unwrap())
        .await
        .unwrap()
        .expect("contact stored")
}
