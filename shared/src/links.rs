//! Practice links: the item shape shared by link management, the public link pages, and
//! patient signup (which resolves a code to its practice, link, tags and members).

use crate::adapters::dynamo::{self, bool_av, keys, n, s, StoreError};
use crate::app::App;
use crate::domain::ids::{AccountId, LinkId, OrgId};
use crate::domain::time::{day, rfc3339};
use aws_sdk_dynamodb::types::ReturnValue;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fmt;

/// A link code as it appears in a URL: 4–32 of `a-z 0-9 -` (allocated codes are 6 digits).
/// Upper-case input is read as lower case, so `/ABC123` and `/abc123` are the same link.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct LinkCode(String);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BadCode {
    #[error("must be 4 to 32 characters of a-z, 0-9 and -")]
    Shape,
    #[error("is reserved; choose another code")]
    Reserved,
}

/// Paths of the link domain (and words we may want there later) that can never be codes.
pub const RESERVED_CODES: &[&str] = &[
    "v1",
    "v2",
    "i",
    "static",
    "assets",
    "api",
    "app",
    "apps",
    "www",
    "admin",
    "help",
    "about",
    "privacy",
    "terms",
    "login",
    "signup",
    "download",
    "download-sms",
    "health",
    "status",
    "robots",
    "favicon",
    "well-known",
    "canopy",
];

impl LinkCode {
    /// The shape check alone: what a click or a lookup accepts before touching the table.
    pub fn parse(input: &str) -> Result<Self, BadCode> {
        let code = input.trim().to_ascii_lowercase();
        let shape_ok = (4..=32).contains(&code.len())
            && code
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
        if shape_ok {
            Ok(Self(code))
        } else {
            Err(BadCode::Shape)
        }
    }

    /// A code a practice asks for: the shape, and not a reserved word.
    pub fn parse_custom(input: &str) -> Result<Self, BadCode> {
        let code = Self::parse(input)?;
        if RESERVED_CODES.contains(&code.as_str()) {
            return Err(BadCode::Reserved);
        }
        Ok(code)
    }

    /// A freshly allocated six-digit code.
    pub fn allocate() -> Self {
        Self(crate::domain::secrets::new_link_code())
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for LinkCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Debug for LinkCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "LinkCode({})", self.0)
    }
}

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

/// What a new link is made of (validated by the caller).
pub struct NewLink {
    pub org_id: OrgId,
    pub practice_name: String,
    pub code: LinkCode,
    pub label: String,
    pub tags: Vec<String>,
    pub member_ids: Vec<AccountId>,
}

impl LinkItem {
    pub fn key_for(code: &str) -> dynamo::Item {
        dynamo::key(keys::code_pk(code), keys::CODE_SK)
    }

    /// A new, active link with zero counts. `daily_clicks` starts as an empty map so a
    /// click's `SET #daily.#day = …` has a map to write into.
    pub fn new(link: NewLink, now: i64) -> Self {
        let id = LinkId::generate();
        Self {
            pk: keys::code_pk(link.code.as_str()),
            sk: keys::CODE_SK.into(),
            gsi1pk: keys::org_links_pk(&link.org_id),
            gsi1sk: keys::link_sk(&id),
            id,
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

/// A click: resolves an active link and counts it (total and today's count) in ONE
/// `UpdateItem` that returns the item. `None` for unknown and disabled codes alike (the
/// condition fails the same way for both, and nothing is counted).
pub async fn click(app: &App, code: &LinkCode) -> Result<Option<LinkItem>, StoreError> {
    let result = app
        .db
        .update_item()
        .table_name(app.table())
        .set_key(Some(LinkItem::key_for(code.as_str())))
        .update_expression(
            "SET #clicks = if_not_exists(#clicks, :zero) + :one, \
             #daily.#day = if_not_exists(#daily.#day, :zero) + :one",
        )
        .condition_expression("attribute_exists(#pk) AND #active = :yes")
        .expression_attribute_names("#pk", "pk")
        .expression_attribute_names("#active", "active")
        .expression_attribute_names("#clicks", "clicks")
        .expression_attribute_names("#daily", "daily_clicks")
        .expression_attribute_names("#day", day(app.now_ms()))
        .expression_attribute_values(":zero", n(0))
        .expression_attribute_values(":one", n(1))
        .expression_attribute_values(":yes", bool_av(true))
        .return_values(ReturnValue::AllNew)
        .send()
        .await;
    match result {
        Ok(out) => Ok(Some(dynamo::from_item(out.attributes.unwrap_or_default())?)),
        Err(err) => match StoreError::from(err) {
            StoreError::ConditionFailed => Ok(None),
            other => Err(other),
        },
    }
}

/// An active link by code, without counting (the public JSON lookup, the download SMS).
pub async fn get_active(app: &App, code: &LinkCode) -> Result<Option<LinkItem>, StoreError> {
    Ok(get_by_code(app, code.as_str())
        .await?
        .filter(|link| link.active))
}

/// One of the practice's links by id: a Query on the practice's GSI1 partition, so a link
/// of another practice is simply not found.
pub async fn get_by_id(
    app: &App,
    org: &OrgId,
    link: &LinkId,
) -> Result<Option<LinkItem>, StoreError> {
    let out = app
        .db
        .query()
        .table_name(app.table())
        .index_name(keys::GSI1)
        .key_condition_expression("#gpk = :pk AND #gsk = :sk")
        .expression_attribute_names("#gpk", "gsi1pk")
        .expression_attribute_names("#gsk", "gsi1sk")
        .expression_attribute_values(":pk", s(keys::org_links_pk(org)))
        .expression_attribute_values(":sk", s(keys::link_sk(link)))
        .send()
        .await?;
    let item = out.items.unwrap_or_default().into_iter().next();
    let found: Option<LinkItem> = item.map(dynamo::from_item).transpose()?;
    Ok(found.filter(|l| l.org_id == *org))
}

/// Every link of a practice, oldest first (GSI1 sort keys are ULIDs; pages are followed:
/// a practice has a handful of links).
pub async fn list_for_org(app: &App, org: &OrgId) -> Result<Vec<LinkItem>, StoreError> {
    let query = app
        .db
        .query()
        .table_name(app.table())
        .index_name(keys::GSI1)
        .key_condition_expression("#gpk = :pk AND begins_with(#gsk, :prefix)")
        .expression_attribute_names("#gpk", "gsi1pk")
        .expression_attribute_names("#gsk", "gsi1sk")
        .expression_attribute_values(":pk", s(keys::org_links_pk(org)))
        .expression_attribute_values(":prefix", s(keys::LINK_PREFIX));
    dynamo::query_all(query).await
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_lower_case_and_bounded() {
        assert_eq!(
            LinkCode::parse("Elm-Street").unwrap().as_str(),
            "elm-street"
        );
        assert_eq!(LinkCode::parse("482913").unwrap().as_str(), "482913");
        for bad in [
            "abc",
            "",
            "a_bc",
            "ab c",
            "abc/",
            "ab.cd",
            "é123",
            &"a".repeat(33),
        ] {
            assert_eq!(LinkCode::parse(bad), Err(BadCode::Shape), "{bad}");
        }
        assert!(LinkCode::parse(&"a".repeat(32)).is_ok());
    }

    #[test]
    fn reserved_words_cannot_be_custom_codes() {
        for word in ["v1", "static", "i"] {
            assert!(LinkCode::parse_custom(word).is_err(), "{word}");
        }
        assert_eq!(LinkCode::parse_custom("STATIC"), Err(BadCode::Reserved));
        assert_eq!(LinkCode::parse_custom("download"), Err(BadCode::Reserved));
        assert!(LinkCode::parse_custom("elm-street").is_ok());
    }

    #[test]
    fn allocated_codes_are_six_digits() {
        for _ in 0..100 {
            let code = LinkCode::allocate();
            assert!(LinkCode::parse(code.as_str()).is_ok());
            assert_eq!(code.as_str().len(), 6);
            assert!(code.as_str().bytes().all(|b| b.is_ascii_digit()));
        }
    }
}
