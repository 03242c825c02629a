//! `GET /v1/org` and `PATCH /v1/org`: the caller's practice, its own channels and settings
//! (see `canopy_shared::practice::org`). The PATCH body keeps an absent field apart from an
//! explicit null: `settings.unread_reminder_minutes: null` means never remind, absent
//! means unchanged; `name` and `settings` themselves may not be null.

use canopy_shared::domain::contact_info::DisplayName;
use canopy_shared::http::{
    json, json_body, request::request_id, ApiError, Caller, HttpResult, JsonBody,
};
use canopy_shared::notifications::model::MAX_REMINDER_MINUTES;
use canopy_shared::practice::org::{change_practice, show_practice, OrgPatch};
use canopy_shared::App;
use lambda_http::Request;
use serde::{Deserialize, Deserializer};

/// `Some(None)` for an explicit null, `Some(Some(v))` for a value; with
/// `#[serde(default)]`, `None` when the field is absent.
fn present<'de, D, T>(d: D) -> Result<Option<Option<T>>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    Option::<T>::deserialize(d).map(Some)
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Body {
    #[serde(default, deserialize_with = "present")]
    name: Option<Option<String>>,
    #[serde(default, deserialize_with = "present")]
    settings: Option<Option<SettingsBody>>,
}

/// Only the reminder setting may be null (never remind); a null `name` or `settings` is
/// refused by `json_body`, naming the field.
impl JsonBody for Body {
    const NULLABLE: &'static [&'static str] = &["settings.unread_reminder_minutes"];
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SettingsBody {
    /// Any JSON number is taken here, so a fraction or a negative one is answered in the
    /// contract's words rather than serde's.
    #[serde(default, deserialize_with = "present")]
    unread_reminder_minutes: Option<Option<serde_json::Number>>,
}

pub async fn show(app: &App, req: &Request) -> HttpResult {
    let caller = Caller::from_request(req)?;
    let practice = show_practice(&app.store, &caller).await?;
    json(200, &practice.view())
}

pub async fn patch(app: &App, req: &Request) -> HttpResult {
    let caller = Caller::from_request(req)?;
    // Who may change it is answered before the body is read.
    caller.managing_org()?;
    let body: Body = json_body(req)?;
    let patch = OrgPatch {
        name: match body.name {
            None => None,
            Some(None) => return Err(ApiError::invalid("name", "may not be null")),
            Some(Some(name)) => {
                Some(DisplayName::parse_plain(&name).map_err(|e| ApiError::invalid("name", e))?)
            }
        },
        unread_reminder_minutes: match body.settings {
            None => None,
            Some(None) => return Err(ApiError::invalid("settings", "may not be null")),
            Some(Some(s)) => match s.unread_reminder_minutes {
                None => None,
                Some(None) => Some(None),
                Some(Some(m)) => Some(Some(minutes(&m)?)),
            },
        },
    };
    let practice =
        change_practice(&app.store, &caller, patch, &request_id(req), app.now_ms()).await?;
    json(200, &practice.view())
}

fn minutes(n: &serde_json::Number) -> Result<u32, ApiError> {
    n.as_u64()
        .filter(|m| *m <= u64::from(MAX_REMINDER_MINUTES))
        .and_then(|m| u32::try_from(m).ok())
        .ok_or_else(|| {
            ApiError::invalid(
                "settings.unread_reminder_minutes",
                format!("must be a whole number from 0 to {MAX_REMINDER_MINUTES}, or null (never remind)"),
            )
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(body: &str) -> Body {
        serde_json::from_str(body).unwrap()
    }

    #[test]
    fn absent_and_null_are_told_apart() {
        let b = parse("{}");
        assert!(b.name.is_none() && b.settings.is_none());
        let b = parse(r#"{"settings": {}}"#);
        assert!(matches!(
            b.settings,
            Some(Some(SettingsBody {
                unread_reminder_minutes: None
            }))
        ));
        let b = parse(r#"{"settings": {"unread_reminder_minutes": null}}"#);
        assert!(matches!(
            b.settings,
            Some(Some(SettingsBody {
                unread_reminder_minutes: Some(None)
            }))
        ));
        let b = parse(r#"{"name": null, "settings": null}"#);
        assert!(matches!(b.name, Some(None)) && matches!(b.settings, Some(None)));
    }

    #[test]
    fn minutes_are_whole_and_at_most_a_week() {
        let n = |s: &str| serde_json::from_str::<serde_json::Number>(s).unwrap();
        assert_eq!(minutes(&n("0")).unwrap(), 0);
        assert_eq!(minutes(&n("10080")).unwrap(), 10_080);
        assert!(minutes(&n("10081")).is_err());
        assert!(minutes(&n("-1")).is_err());
        assert!(minutes(&n("1.5")).is_err());
    }
}
