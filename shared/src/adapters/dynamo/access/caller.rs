//! [`CallerStore`] for [`Dynamo`]: a staff caller's session, membership and practice
//! item in one consistent `BatchGetItem`. The practice's `#META` item mirrors each
//! link's `member_ids` (`link_access_<id>`, kept by the links' own transactions in
//! `adapters::dynamo::links`), so which links a member sees needs no Query of the links.

use super::SessionItem;
use crate::adapters::dynamo::practice::MemberItem;
use crate::adapters::dynamo::{batch_get, from_item, get_s, key, keys, Dynamo, Item, StoreError};
use crate::domain::ids::{AccountId, LinkId, OrgId};
use crate::ports::access::{CallerStore, StaffRecords};
use crate::practice::model::LinkAccess;
use async_trait::async_trait;
use aws_sdk_dynamodb::types::AttributeValue;

#[async_trait]
impl CallerStore for Dynamo {
    async fn staff_records(
        &self,
        token_hash: &str,
        org: &OrgId,
        account: &AccountId,
    ) -> Result<StaffRecords, StoreError> {
        let wanted = vec![
            key(keys::session_pk(token_hash), keys::SESSION_SK),
            key(keys::org_pk(org), keys::member_sk(account)),
            key(keys::org_pk(org), keys::ORG_META_SK),
        ];
        let mut records = StaffRecords::default();
        for item in batch_get(self.client(), self.table(), wanted, true).await? {
            match get_s(&item, "sk") {
                Some(keys::SESSION_SK) => {
                    let session: SessionItem = from_item(item)?;
                    records.session = Some(session.into_session(token_hash));
                }
                Some(keys::ORG_META_SK) => records.links = kept_link_access(&item)?,
                _ => {
                    let member: MemberItem = from_item(item)?;
                    records.member = Some(member.into_member());
                }
            }
        }
        Ok(records)
    }
}

/// The link access mirrored on a practice's `#META` item, or `None` when the practice
/// predates the mirror (no `links_mirrored`).
fn kept_link_access(meta: &Item) -> Result<Option<Vec<LinkAccess>>, StoreError> {
    if !matches!(meta.get("links_mirrored"), Some(AttributeValue::Bool(true))) {
        return Ok(None);
    }
    let corrupt = |what: &str| StoreError::Corrupt(format!("link access: {what}"));
    let mut links = Vec::new();
    for (name, value) in meta {
        let Some(id) = name.strip_prefix(keys::LINK_ACCESS_ATTR_PREFIX) else {
            continue;
        };
        let id: LinkId = id.parse().map_err(|_| corrupt(name))?;
        let members = match value {
            AttributeValue::L(members) => members,
            _ => return Err(corrupt(name)),
        };
        let member_ids = members
            .iter()
            .map(|m| match m {
                AttributeValue::S(s) => s.parse::<AccountId>().map_err(|_| corrupt(name)),
                _ => Err(corrupt(name)),
            })
            .collect::<Result<_, _>>()?;
        links.push(LinkAccess { id, member_ids });
    }
    Ok(Some(links))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::adapters::dynamo::s;

    #[test]
    fn the_mirror_is_read_only_where_it_is_kept() {
        let (link, member) = (LinkId::generate(), AccountId::generate());
        let mut meta = Item::new();
        meta.insert(
            keys::link_access_attr(&link),
            AttributeValue::L(vec![s(member.to_string())]),
        );
        meta.insert("name".into(), s("Quince Clinic"));
        assert_eq!(kept_link_access(&meta).unwrap(), None, "an older practice");
        meta.insert("links_mirrored".into(), AttributeValue::Bool(true));
        let whole_team = LinkId::generate();
        meta.insert(
            keys::link_access_attr(&whole_team),
            AttributeValue::L(vec![]),
        );
        let mut links = kept_link_access(&meta).unwrap().unwrap();
        links.sort_by_key(|l| l.id.to_string());
        let mut expected = vec![
            LinkAccess {
                id: link,
                member_ids: vec![member],
            },
            LinkAccess {
                id: whole_team,
                member_ids: vec![],
            },
        ];
        expected.sort_by_key(|l| l.id.to_string());
        assert_eq!(links, expected);
        meta.insert(keys::link_access_attr(&link), s("not a list"));
        assert!(kept_link_access(&meta).is_err());
    }
}
