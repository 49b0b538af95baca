//! Serde helpers for fields that are strings in the API but that clients send as
//! numbers or booleans too (SPEC §4 "Numbers may arrive as strings", and the
//! other way round: `{"userId": 42}` is the user "42").

use std::fmt;

use serde::de::{self, Deserializer, Visitor};

/// A string field that also takes a number or a boolean, written as text. An
/// absent or `null` field is the empty string, which the domain refuses with
/// E1001 naming the field (`userId不能为空`).
pub fn string<'de, D: Deserializer<'de>>(deserializer: D) -> Result<String, D::Error> {
    Ok(optional_string(deserializer)?.unwrap_or_default())
}

/// Like [`string`], for a field that may be left out: absent or `null` is `None`.
pub fn optional_string<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<String>, D::Error> {
    deserializer.deserialize_any(Scalar)
}

/// Accepts a JSON scalar and keeps its text.
struct Scalar;

impl<'de> Visitor<'de> for Scalar {
    type Value = Option<String>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a string (or a number or boolean written as one)")
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
        Ok(Some(v.to_owned()))
    }

    fn visit_string<E: de::Error>(self, v: String) -> Result<Self::Value, E> {
        Ok(Some(v))
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Self::Value, E> {
        Ok(Some(v.to_string()))
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
        Ok(Some(v.to_string()))
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Self::Value, E> {
        Ok(Some(v.to_string()))
    }

    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Self::Value, E> {
        Ok(Some(v.to_string()))
    }

    fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }

    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }

    fn visit_some<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        deserializer.deserialize_any(self)
    }
}

#[cfg(test)]
mod tests {
    use serde::Deserialize;
    use serde_json::json;

    #[derive(Deserialize, Debug, PartialEq)]
    struct Fields {
        #[serde(default, deserialize_with = "super::string")]
        id: String,
        #[serde(default, deserialize_with = "super::optional_string")]
        name: Option<String>,
    }

    fn parse(value: serde_json::Value) -> Result<Fields, serde_json::Error> {
        serde_json::from_value(value)
    }

    #[test]
    fn strings_numbers_and_booleans_are_kept_as_text() {
        assert_eq!(parse(json!({"id": "7", "name": "z"})).unwrap(), Fields { id: "7".into(), name: Some("z".into()) });
        assert_eq!(
            parse(json!({"id": 42, "name": true})).unwrap(),
            Fields { id: "42".into(), name: Some("true".into()) }
        );
        assert_eq!(parse(json!({"id": -1.5})).unwrap().id, "-1.5");
    }

    #[test]
    fn absent_or_null_fields_are_empty() {
        assert_eq!(parse(json!({})).unwrap(), Fields { id: String::new(), name: None });
        assert_eq!(parse(json!({"id": null, "name": null})).unwrap(), Fields { id: String::new(), name: None });
    }

    #[test]
    fn objects_and_arrays_are_refused() {
        assert!(parse(json!({"id": {"a": 1}})).is_err());
        assert!(parse(json!({"name": [1]})).is_err());
    }
}
