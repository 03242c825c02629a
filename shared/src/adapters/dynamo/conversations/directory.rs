//! [`PracticeDirectory`] for [`Dynamo`], through the contacts, practice and links store
//! ports (one read each, as the use case asks).

use crate::adapters::dynamo::{Dynamo, StoreError};
use crate::conversations::Channel;
use crate::domain::ids::{AccountId, ContactId, OrgId};
use crate::ports::contacts::ContactStore;
use crate::ports::conversations::{
    DirectoryContact, PracticeDirectory, RoutingLink, StandardStart,
};
use crate::ports::links::LinkStore;
use crate::ports::practice::TeamStore;
use async_trait::async_trait;

#[async_trait]
impl PracticeDirectory for Dynamo {
    async fn contact(
        &self,
        org: &OrgId,
        id: &ContactId,
    ) -> Result<Option<DirectoryContact>, StoreError> {
        let found = ContactStore::contact(self, org, id).await?;
        Ok(found.map(|c| DirectoryContact {
            name: c.name.as_str().to_string(),
            account_id: c.account_id,
            has_phone: c.phone.is_some(),
            has_email: c.email.is_some(),
            phone: c.phone.as_ref().map(|p| p.as_str().to_string()),
            email: c.email.as_ref().map(|e| e.as_str().to_ascii_lowercase()),
        }))
    }

    async fn teammate_name(
        &self,
        org: &OrgId,
        account: &AccountId,
    ) -> Result<Option<String>, StoreError> {
        let member = TeamStore::member(self, org, account).await?;
        Ok(member.map(|m| m.name.as_str().to_string()))
    }

    async fn standard_start(
        &self,
        org: &OrgId,
        channel: Channel,
        to: &str,
    ) -> Result<StandardStart, StoreError> {
        self.standard_start_for(org, channel, to).await
    }

    async fn links(&self, org: &OrgId) -> Result<Vec<RoutingLink>, StoreError> {
        let links = self.links_of_practice(org).await?;
        Ok(links
            .into_iter()
            .map(|l| RoutingLink {
                id: l.id,
                tags: l.tags,
                member_ids: l.member_ids,
            })
            .collect())
    }
}
