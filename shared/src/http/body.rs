//! What a JSON request body declares about itself: the fields where the contract allows
//! `null`. Everywhere else an explicit `null` is refused (400 `invalid_field` naming the
//! field), so "absent" and "null" never mean the same thing by accident: serde takes `null`
//! for an absent `Option`, which would let a client send `{"email": null}` and have it read
//! as "no email" where the contract says the field is a string.
//!
//! Every type parsed by [`super::json_body`] implements [`JsonBody`]; the default is "no
//! field is nullable", so a new request type refuses `null` until it says otherwise:
//!
//! ```ignore
//! impl JsonBody for OrgPatch {
//!     const NULLABLE: &'static [&'static str] = &["name", "settings.unread_reminder_minutes"];
//! }
//! ```
//!
//! A path is the field's dotted name inside nested objects; `[]` stands for any array item
//! (`participant_ids[]`). A nullable field then reads `null` as the type's own `Option`
//! would (a double `Option` tells "absent" from "null" where the difference matters).
//!
//! Only the fields the type declares are checked: where a schema leaves the object open
//! (no `additionalProperties: false`, so the type does not deny unknown fields), whatever an
//! unknown field holds is ignored, `null` included. The declared fields are the ones serde's
//! derive hands to `deserialize_struct` ([`declared_fields`]).

use super::error::ApiError;
use serde::de::DeserializeOwned;
use serde_json::Value;

/// A request body type, with the JSON paths where it accepts `null`.
pub trait JsonBody: DeserializeOwned {
    /// Paths where `null` is allowed (dotted, `[]` for array items); empty by default.
    const NULLABLE: &'static [&'static str] = &[];
}

/// The first `null` in `value` at a path `T` does not declare nullable, as the contract's
/// 400 naming that field.
pub(crate) fn refuse_undeclared_nulls<T: JsonBody>(value: &Value) -> Result<(), ApiError> {
    let mut path = String::new();
    let mut pattern = String::new();
    match (declared_fields::<T>(), value) {
        (Some(fields), Value::Object(map)) => {
            for (key, item) in map.iter().filter(|(k, _)| fields.contains(&k.as_str())) {
                path.clear();
                path.push_str(key);
                pattern.clear();
                pattern.push_str(key);
                walk(item, &mut path, &mut pattern, T::NULLABLE)?;
            }
            Ok(())
        }
        // Not a plain struct (an enum, a map, `flatten`): every field is checked.
        _ => walk(value, &mut path, &mut pattern, T::NULLABLE),
    }
}

/// The field names a derived `Deserialize` struct declares (what it passes to
/// `deserialize_struct`), or None for any other shape.
pub fn declared_fields<T: DeserializeOwned>() -> Option<&'static [&'static str]> {
    struct Capture(Option<&'static [&'static str]>);
    struct Probe<'a>(&'a mut Capture);
    impl<'de> serde::Deserializer<'de> for Probe<'_> {
        type Error = serde::de::value::Error;
        fn deserialize_any<V: serde::de::Visitor<'de>>(
            self,
            _: V,
        ) -> Result<V::Value, Self::Error> {
            Err(serde::de::Error::custom("probe"))
        }
        fn deserialize_struct<V: serde::de::Visitor<'de>>(
            self,
            _name: &'static str,
            fields: &'static [&'static str],
            _: V,
        ) -> Result<V::Value, Self::Error> {
            self.0 .0 = Some(fields);
            Err(serde::de::Error::custom("probe"))
        }
        serde::forward_to_deserialize_any! {
            bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes
            byte_buf option unit unit_struct newtype_struct seq tuple tuple_struct map enum
            identifier ignored_any
        }
    }
    let mut capture = Capture(None);
    let _ = T::deserialize(Probe(&mut capture));
    capture.0
}

fn walk(
    value: &Value,
    path: &mut String,
    pattern: &mut String,
    nullable: &[&str],
) -> Result<(), ApiError> {
    match value {
        Value::Null if !path.is_empty() && !nullable.contains(&pattern.as_str()) => Err(
            ApiError::invalid(path, "must not be null (leave the field out instead)"),
        ),
        Value::Object(map) => {
            for (key, item) in map {
                let (path_len, pattern_len) = (path.len(), pattern.len());
                for p in [&mut *path, &mut *pattern] {
                    if !p.is_empty() {
                        p.push('.');
                    }
                    p.push_str(key);
                }
                walk(item, path, pattern, nullable)?;
                path.truncate(path_len);
                pattern.truncate(pattern_len);
            }
            Ok(())
        }
        Value::Array(items) => {
            let (path_len, pattern_len) = (path.len(), pattern.len());
            pattern.push_str("[]");
            for (i, item) in items.iter().enumerate() {
                path.push_str(&format!("[{i}]"));
                walk(item, path, pattern, nullable)?;
                path.truncate(path_len);
            }
            pattern.truncate(pattern_len);
            Ok(())
        }
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;
    use serde_json::json;

    #[allow(dead_code)]
    #[derive(Deserialize)]
    struct Plain {
        email: Option<String>,
        tags: Option<Vec<String>>,
    }
    impl JsonBody for Plain {}

    #[allow(dead_code)]
    #[derive(Deserialize)]
    struct Settings {
        unread_reminder_minutes: Option<Option<u32>>,
    }
    #[allow(dead_code)]
    #[derive(Deserialize)]
    struct Patch {
        name: Option<String>,
        settings: Option<Settings>,
    }
    impl JsonBody for Patch {
        const NULLABLE: &'static [&'static str] = &["settings.unread_reminder_minutes"];
    }

    fn message<T: JsonBody>(value: Value) -> Option<String> {
        refuse_undeclared_nulls::<T>(&value).err().map(|e| {
            assert_eq!((e.status, e.code), (400, "invalid_field"));
            e.message
        })
    }

    #[test]
    fn null_is_refused_where_undeclared_and_named() {
        assert_eq!(
            message::<Plain>(json!({"email": null})).as_deref(),
            Some("email: must not be null (leave the field out instead)")
        );
        assert_eq!(
            message::<Plain>(json!({"tags": ["a", null]})).as_deref(),
            Some("tags[1]: must not be null (leave the field out instead)")
        );
        assert_eq!(
            message::<Patch>(json!({"name": null})).as_deref(),
            Some("name: must not be null (leave the field out instead)")
        );
        assert_eq!(
            message::<Patch>(json!({"settings": null})).as_deref(),
            Some("settings: must not be null (leave the field out instead)")
        );
    }

    #[test]
    fn unknown_fields_of_an_open_body_are_not_checked() {
        assert_eq!(declared_fields::<Plain>(), Some(&["email", "tags"][..]));
        assert_eq!(
            message::<Plain>(json!({"extra": null, "more": {"x": null}})),
            None
        );
        assert!(message::<Plain>(json!({"extra": null, "email": null})).is_some());
        assert_eq!(declared_fields::<Value>(), None);
    }

    #[test]
    fn null_is_taken_where_declared_and_absence_stays_fine() {
        assert_eq!(
            message::<Patch>(json!({"settings": {"unread_reminder_minutes": null}})),
            None
        );
        assert_eq!(
            message::<Patch>(json!({"settings": {"unread_reminder_minutes": 5}})),
            None
        );
        assert_eq!(message::<Plain>(json!({})), None);
        assert_eq!(
            message::<Plain>(json!({"email": "a@b.co", "tags": []})),
            None
        );
    }
}
