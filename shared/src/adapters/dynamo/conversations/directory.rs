//! [`PracticeDirectory`] over the contacts, practice and links modules' current public
//! reads. It is implemented for [`App`] because those reads still take the `App`; once
//! their own store ports land (issue 9, other lanes), implement it for [`Dynamo`]
//! (`crate::adapters::dynamo::Dynamo`) through them and drop the `App` here.

use crate::adapters::dynamo::StoreError;
use crate::app::App;
use crate::domain::ids::{AccountId, ContactId, OrgId};
use crate::ports::conversations::{DirectoryContact, PracticeDirectory, RoutingLink};
use async_trait::async_trait;

#[async_trait]
impl PracticeDirectory for App {
    async fn contact(
        &self,
        org: &OrgId,
        id: &ContactId,
    ) -> Result<Option<DirectoryContact>, StoreError> {
        let found = crate::contacts::get(self, org, id).await?;
        Ok(found.map(|c| DirectoryContact {
            name: c.name.as_str().to_string(),
            account_id: c.account_id,
            has_phone: c.phone.is_some(),
            has_email: c.email.is_some(),
        }))
    }

    async fn teammate_name(
        &self,
        org: &OrgId,
        account: &AccountId,
    ) -> Result<Option<String>, StoreError> {
        let member = crate::practice::get_member(self, org, account).await?;
        Ok(member.map(|m| m.name.as_str().to_string()))
    }

    async fn links(&self, org: &OrgId) -> Result<Vec<RoutingLink>, StoreError> {
        let links = crate::links::list_for_org(self, org).await?;
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
