//! [`CallerStore`] for [`Dynamo`]: a staff caller's session, membership and practice
//! item in one consistent `BatchGetItem`. The practice's `#META` item mirrors each
//! link's `member_ids` (`link_access_<id>`, kept by the links' own transactions in
//! `adapters::dynamo::links`), so which links a member sees needs no Query of the links;
//! its `access_version` comes with it, the version that caller is proven at
//! (`access::proof`).

use super::SessionItem;
use crate::adapters::dynamo::practice::MemberItem;
use crate::adapters::dynamo::{
    batch_get, from_item, get_s, key, keys, n, Dynamo, Expr, Item, StoreError,
};
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
                Some(keys::ORG_META_SK) => {
                    records.access_version = access_version(&item)?;
                    records.links = kept_link_access(&item)?;
                }
                _ => {
                    let member: MemberItem = from_item(item)?;
                    records.member = Some(member.into_member());
                }
            }
        }
        Ok(records)
    }
}

/// Adds `ADD #access_version :access_step` to an update of a practice's `#META` item (its
/// placeholders into `e`) and returns that clause: every transaction that changes what
/// the practice's staff may see or do carries it, so a caller remembered at an older
/// version is proven stale in the same commit order.
pub fn bump_access_version(e: &mut Expr) -> &'static str {
    e.name("#access_version", keys::ACCESS_VERSION_ATTR)
        .value(":access_step", n(1));
    "ADD #access_version :access_step"
}

/// The practice's access version (`keys::ACCESS_VERSION_ATTR`; absent: 0).
pub(crate) fn access_version(meta: &Item) -> Result<u64, StoreError> {
    match meta.get(keys::ACCESS_VERSION_ATTR) {
        None => Ok(0),
        Some(AttributeValue::N(v)) => v
            .parse()
            .map_err(|_| StoreError::Corrupt("access version".into())),
        Some(_) => Err(StoreError::Corrupt("access version".into())),
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

    #[test]
    fn an_absent_access_version_is_zero() {
        let mut meta = Item::new();
        assert_eq!(access_version(&meta).unwrap(), 0);
        meta.insert(
            keys::ACCESS_VERSION_ATTR.into(),
            AttributeValue::N("7".into()),
        );
        assert_eq!(access_version(&meta).unwrap(), 7);
        meta.insert(keys::ACCESS_VERSION_ATTR.into(), s("7"));
        assert!(access_version(&meta).is_err());
    }
}
