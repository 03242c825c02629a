//! A practice link as the domain sees it: no table keys, no AWS types. How it is stored
//! (one item keyed by its code, listed per practice on GSI1) is the adapter's business
//! (`adapters::dynamo::links`).

use crate::domain::ids::{AccountId, LinkId, OrgId};
use crate::domain::time::rfc3339;
use crate::links::code::LinkCode;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// A practice's public link. Codes are public, not secrets: a click learns the practice
/// name and the label, nothing else.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Link {
    pub id: LinkId,
    pub org_id: OrgId,
    /// The public code (stored codes were validated when the link was made).
    pub code: String,
    /// Denormalised for the landing page and the app's "Join …" screen.
    pub practice_name: String,
    pub label: String,
    /// Applied to conversations that arrive through the link.
    pub tags: Vec<String>,
    /// Who sees conversations routed to this link and may send from it; empty = whole team.
    pub member_ids: Vec<AccountId>,
    pub active: bool,
    pub clicks: i64,
    pub signups: i64,
    /// `yyyy-mm-dd` → clicks that day.
    pub daily_clicks: BTreeMap<String, i64>,
    pub created_at: i64,
}

/// What a new link is made of (validated by the use case).
pub struct NewLink {
    pub org_id: OrgId,
    pub practice_name: String,
    pub code: LinkCode,
    pub label: String,
    pub tags: Vec<String>,
    pub member_ids: Vec<AccountId>,
}

/// A link as the API shows it to the practice's staff.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct LinkView {
    pub id: LinkId,
    pub code: String,
    pub url: String,
    pub label: String,
    pub tags: Vec<String>,
    pub member_ids: Vec<AccountId>,
    pub active: bool,
    pub clicks: i64,
    pub signups: i64,
    pub daily_clicks: BTreeMap<String, i64>,
    pub created_at: String,
}

/// The fields a `PATCH` may change; `None` leaves a field as it is.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LinkChanges {
    pub label: Option<String>,
    pub tags: Option<Vec<String>>,
    pub member_ids: Option<Vec<AccountId>>,
    pub active: Option<bool>,
}

impl LinkChanges {
    pub fn is_empty(&self) -> bool {
        self == &Self::default()
    }

    /// The link as it reads once the changes are stored.
    pub fn apply(&self, link: &mut Link) {
        if let Some(label) = &self.label {
            link.label = label.clone();
        }
        if let Some(tags) = &self.tags {
            link.tags = tags.clone();
        }
        if let Some(members) = &self.member_ids {
            link.member_ids = members.clone();
        }
        if let Some(active) = self.active {
            link.active = active;
        }
    }
}

impl Link {
    /// A new, active link with zero counts.
    pub fn new(link: NewLink, now: i64) -> Self {
        Self {
            id: LinkId::generate(),
            org_id: link.org_id,
            code: link.code.as_str().to_string(),
            practice_name: link.practice_name,
            label: link.label,
            tags: link.tags,
            member_ids: link.member_ids,
            active: true,
            clicks: 0,
            signups: 0,
            daily_clicks: BTreeMap::new(),
            created_at: now,
        }
    }

    /// The public URL of this link (from settings, never from a request's `Host`).
    pub fn url(&self, link_base_url: &str) -> String {
        format!("{link_base_url}/{}", self.code)
    }

    pub fn view(&self, link_base_url: &str) -> LinkView {
        LinkView {
            id: self.id,
            code: self.code.clone(),
            url: self.url(link_base_url),
            label: self.label.clone(),
            tags: self.tags.clone(),
            member_ids: self.member_ids.clone(),
            active: self.active,
            clicks: self.clicks,
            signups: self.signups,
            daily_clicks: self.daily_clicks.clone(),
            created_at: rfc3339(self.created_at),
        }
    }
}
