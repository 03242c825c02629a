//! Practice links: the item shape shared by link management, the public link pages, and
//! patient signup (which resolves a code to its practice, link, tags and members).

use crate::adapters::dynamo::{self, keys, StoreError};
use crate::app::App;
use crate::domain::ids::{AccountId, LinkId, OrgId};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// One item per link: `CODE#code` / `#CODE`, listed per practice on GSI1
/// (`ORG#o#LINKS` / `LINK#l`). Codes are public, not secrets: the item answers a click with
/// the practice name and label only.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct LinkItem {
    pub pk: String,
    pub sk: String,
    pub gsi1pk: String,
    pub gsi1sk: String,
    pub id: LinkId,
    pub org_id: OrgId,
    pub code: String,
    /// Denormalised for the landing page and the app's "Join …" screen.
    pub practice_name: String,
    pub label: String,
    /// Applied to conversations that arrive through the link.
    #[serde(default)]
    pub tags: Vec<String>,
    /// Who sees conversations routed to this link and may send from it; empty = whole team.
    #[serde(default)]
    pub member_ids: Vec<AccountId>,
    pub active: bool,
    #[serde(default)]
    pub clicks: i64,
    #[serde(default)]
    pub signups: i64,
    /// `yyyy-mm-dd` → clicks that day (a map on the item, so a click stays one UpdateItem).
    #[serde(default)]
    pub daily_clicks: BTreeMap<String, i64>,
    pub created_at: i64,
}

impl LinkItem {
    pub fn key_for(code: &str) -> dynamo::Item {
        dynamo::key(keys::code_pk(code), keys::CODE_SK)
    }
}

/// The link with this public code, active or not (consistent read).
pub async fn get_by_code(app: &App, code: &str) -> Result<Option<LinkItem>, StoreError> {
    let out = app
        .db
        .get_item()
        .table_name(app.table())
        .set_key(Some(LinkItem::key_for(code)))
        .consistent_read(true)
        .send()
        .await?;
    out.item.map(dynamo::from_item).transpose()
}
